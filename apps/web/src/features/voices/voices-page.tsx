import { useState } from 'react';

import { ErrorAlert } from '../../components/error-alert';
import type { Voice } from './characteristics';
import { VoiceCard } from './voice-card';
import { useLibraryVoices, useOthersPublicVoices } from './voice-queries';
import { VoiceUploadForm } from './voice-upload-form';

function VoiceList({
  query,
  empty,
  label,
}: {
  query: { data?: Voice[] | undefined; error: unknown; isPending: boolean };
  empty: string;
  label: string;
}) {
  if (query.isPending) return <p className="text-sm text-slate-600">Loading…</p>;
  if (query.error) return <ErrorAlert error={query.error} title={`Could not load ${label}`} />;
  const voices = query.data ?? [];
  if (voices.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <ul className="flex flex-col gap-4" aria-label={label}>
      {voices.map((voice) => (
        <li key={voice.id}>
          <VoiceCard voice={voice} />
        </li>
      ))}
    </ul>
  );
}

/** /voices: add a voice (file or microphone), see what was measured, share, delete, and use voices. */
export function VoicesPage() {
  const library = useLibraryVoices();
  const shared = useOthersPublicVoices();
  // A new key after each upload gives a fresh, empty form.
  const [formKey, setFormKey] = useState(0);
  const [added, setAdded] = useState<string>();

  return (
    <div className="flex flex-col gap-8">
      <div>
        <h1 className="text-2xl font-bold">Voice library</h1>
        <p className="mt-1 text-sm text-slate-700">
          Add a voice from a short speech sample. Its pitch, pace, loudness and spectrum are measured on upload, and
          voice clone jobs convert speech toward it.
        </p>
      </div>

      <section aria-labelledby="add-voice" className="flex flex-col gap-3 rounded-lg border border-slate-200 p-4">
        <h2 id="add-voice" className="text-xl font-semibold">
          Add a voice
        </h2>
        <VoiceUploadForm
          key={formKey}
          onUploaded={(voice) => {
            setAdded(voice.name);
            setFormKey((key) => key + 1);
          }}
        />
        <p role="status" className="text-sm text-green-800">
          {added ? `“${added}” was added to your voices.` : ''}
        </p>
      </section>

      <section aria-labelledby="your-voices" className="flex flex-col gap-3">
        <h2 id="your-voices" className="text-xl font-semibold">
          Your voices
        </h2>
        <VoiceList query={library} label="your voices" empty="No voices yet. Add one above." />
      </section>

      <section aria-labelledby="shared-voices" className="flex flex-col gap-3">
        <h2 id="shared-voices" className="text-xl font-semibold">
          Shared by others
        </h2>
        <VoiceList query={shared} label="voices shared by others" empty="Nobody has shared a voice yet." />
      </section>
    </div>
  );
}
