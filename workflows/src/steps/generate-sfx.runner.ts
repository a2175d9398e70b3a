import { generatorRunner } from './generator';

export const generateSfxRunner = generatorRunner<'generate_sfx'>('parametric-sfx');
