import { getUsableVoice, type Database } from '@voice/db';
import {
  UnsupportedAccentError,
  UnsupportedLanguagePairError,
  accentVoiceFor,
  baseLanguage,
  resolveTranslationPair,
} from '@voice/dubbing';
import {
  UnknownModelError,
  cachedInstallCheck,
  getModel,
  listModels,
  selectModel,
  type ModelManifest,
} from '@voice/models';
import {
  GENRES,
  MOODS,
  MusicRequestError,
  PLATFORM_PRESETS,
  PLATFORMS,
  parseKey,
  planSfx,
  resolveGenre,
  resolveMood,
  resolvePlatform,
} from '@voice/music';
import { StepRejection, type ModelNeed, type MusicCatalog, type StepContext } from '@voice/shared';

/** Turns the music engine's request errors into the 400 the step modules expect. */
function asRejection(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof MusicRequestError) {
      throw new StepRejection(
        'INVALID_REQUEST',
        error.message,
        400,
        error.supported.length > 0 ? { supported: error.supported } : undefined,
      );
    }
    throw error;
  }
}

const musicCatalog: MusicCatalog = {
  genre: (name) => resolveGenre(name),
  genres: GENRES,
  mood: (name) => resolveMood(name),
  moods: MOODS,
  platform: (name) => {
    const platform = resolvePlatform(name);
    return platform ? { name: platform, maxDurationSeconds: PLATFORM_PRESETS[platform].maxDurationSeconds } : undefined;
  },
  platforms: PLATFORMS,
  checkKey: (key) => asRejection(() => parseKey(key)),
  checkSfx: (description) => asRejection(() => planSfx(description)),
};

/** Installed-model checks per models folder, shared by every submit (see cachedInstallCheck). */
const installChecks = new Map<string | undefined, (model: ModelManifest) => boolean>();
const INSTALL_CHECK_TTL_MS = 5_000;

/**
 * What the step modules' submit-time checks may look up, for one user: the model registry, the voice
 * library, the translation pairs and accents, and the music catalogue.
 */
export function createStepContext(options: {
  userId: string;
  db: Database;
  modelsDir: string | undefined;
}): StepContext {
  const location = { modelsDir: options.modelsDir };
  let installed = installChecks.get(options.modelsDir);
  if (!installed)
    installChecks.set(options.modelsDir, (installed = cachedInstallCheck(location, INSTALL_CHECK_TTL_MS)));
  const resolveModel = (need: ModelNeed): string => {
    try {
      return selectModel(need, location, installed).id;
    } catch (error) {
      if (!(error instanceof UnknownModelError)) throw error;
      if (need.requested === undefined && need.language !== undefined) {
        const languages = [
          ...new Set(
            listModels(need.task)
              .filter((model) => installed(model))
              .flatMap((model) => model.languages),
          ),
        ];
        throw new StepRejection(
          'UNSUPPORTED_LANGUAGE',
          `Language "${need.language}" is not supported for ${need.task}. Supported: ${languages.join(', ')}`,
          400,
          { supported: languages },
        );
      }
      throw new StepRejection('UNKNOWN_MODEL', error.message, 400, { available: error.available });
    }
  };

  return {
    userId: options.userId,
    resolveModel,
    requireTtsVoice(modelId, voiceId) {
      const voices = getModel(modelId)?.voices ?? [];
      if (voices.includes(voiceId)) return;
      throw new StepRejection('UNKNOWN_VOICE', unknownVoiceMessage(modelId, voiceId, voices), 400, {
        model: modelId,
        available: voices,
      });
    },
    async resolveVoice(voiceId) {
      const voice = await getUsableVoice(options.db, voiceId, options.userId);
      // Someone else's private voice is indistinguishable from a missing one.
      if (!voice?.voiceCharacteristics) throw new StepRejection('VOICE_NOT_FOUND', `Voice ${voiceId} not found`, 404);
      return { id: voice.id, name: voice.name, characteristics: voice.voiceCharacteristics };
    },
    async requireTranslation(source, target) {
      if (baseLanguage(source) === baseLanguage(target)) return;
      try {
        await resolveTranslationPair(source, target);
      } catch (error) {
        if (error instanceof UnsupportedLanguagePairError) {
          throw new StepRejection('UNSUPPORTED_LANGUAGE_PAIR', error.message, 400, {
            installedPairs: error.installedPairs.map((pair) => `${pair.source}-${pair.target}`),
          });
        }
        throw error;
      }
    },
    requireAccent(accent) {
      try {
        accentVoiceFor(accent, {
          isAvailable: (id) => {
            const model = getModel(id);
            return model !== undefined && installed(model);
          },
        });
      } catch (error) {
        if (error instanceof UnsupportedAccentError) {
          throw new StepRejection('UNSUPPORTED_ACCENT', error.message, 400, { supported: error.supported });
        }
        throw error;
      }
    },
    music: musicCatalog,
  };
}

/** espeak has 130 voices: the message names a few, `details.available` has them all. */
const VOICES_NAMED_IN_MESSAGE = 12;

function unknownVoiceMessage(modelId: string, voiceId: string, voices: readonly string[]): string {
  // A library voice id here is a common mix-up: those are applied by a voice_clone step after the speech.
  const library = 'Library voices are used with "then": [{"op":"voice_clone","target_voice_id":"…"}]';
  if (voices.length === 0) return `Model ${modelId} has no selectable voices; omit voice_id. ${library}`;
  const named = voices.slice(0, VOICES_NAMED_IN_MESSAGE).join(', ');
  const more = voices.length > VOICES_NAMED_IN_MESSAGE ? `, … (${voices.length} in all, see details.available)` : '';
  return `Model ${modelId} has no voice "${voiceId}". Its voices: ${named}${more}. ${library}`;
}
