import { generatorRunner } from './generator';

export const generateMusicRunner = generatorRunner<'generate_music'>('procedural-soundfont');
