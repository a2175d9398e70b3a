import { generatorRunner } from './generator';

export const moodMusicRunner = generatorRunner<'mood_music'>('procedural-soundfont');
