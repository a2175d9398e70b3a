import { useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';

import { api, unwrap } from '../../api/client';
import { describeError } from '../../components/error-alert';
import { useAuth } from './auth-context';

/** What the mailed verification link's redirect (`/?verified=…`) says happened. */
const VERIFY_OUTCOMES: Record<string, { text: string; ok: boolean }> = {
  '1': { text: 'Your email is verified: downloads are open.', ok: true },
  expired: { text: 'That verification link has expired. Send a new one below.', ok: false },
  used: { text: 'That verification link was already used.', ok: false },
  invalid: { text: 'That verification link is not valid. Send a new one below.', ok: false },
};

/**
 * Unverified accounts can try everything but download: say so, with a way to get a new link, and report the
 * outcome of a link just opened.
 */
export function VerifyEmailBanner() {
  const { state } = useAuth();
  const [search] = useSearchParams();
  const delivery = useQuery({
    queryKey: ['auth', 'mail-delivery'],
    queryFn: async () => unwrap(await api.GET('/api/auth/mail-delivery')),
    staleTime: Infinity,
  });
  const resend = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/auth/resend-verification')),
  });
  const outcome = VERIFY_OUTCOMES[search.get('verified') ?? ''];
  const unverified = state.status === 'signed-in' && !state.user.emailVerified && outcome?.ok !== true;
  if (!outcome && !unverified) return null;
  return (
    <div
      role="status"
      className={`px-4 py-2 text-center text-sm ${outcome?.ok ? 'bg-green-100 text-green-900' : 'bg-indigo-50 text-indigo-900'}`}
    >
      {outcome ? <p>{outcome.text}</p> : null}
      {unverified ? (
        <p>
          {state.status === 'signed-in' ? `Verify ${state.user.email} to download results. ` : null}
          {resend.isSuccess ? (
            'A new link is on its way.'
          ) : (
            <button
              type="button"
              className="font-semibold underline"
              disabled={resend.isPending}
              onClick={() => resend.mutate()}
            >
              {resend.isPending ? 'Sending…' : 'Send the link again'}
            </button>
          )}
          {resend.isError ? ` ${describeError(resend.error)}` : null}
        </p>
      ) : null}
      {unverified && delivery.data?.delivery === 'outbox' ? (
        <p>
          This server sends no mail (SMTP_URL is not set): the message is saved on the server, in the outbox folder of
          its data directory (.data/outbox), as an .eml file you can open with any mail program.
        </p>
      ) : null}
    </div>
  );
}
