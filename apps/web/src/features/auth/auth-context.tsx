import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

import { api, ApiError, type AuthResponse, type Schemas, session, unwrap } from '../../api/client';

export type AuthUser = Schemas['AuthUserDto'];

/** A password step that needs its second factor: an admin with an authenticator finishes with `completeMfa`. */
export interface MfaChallenge {
  mfaToken: string;
  /** Seconds the challenge stays valid. */
  expiresIn: number;
}

export type SignInResult = { status: 'signed-in'; user: AuthUser } | ({ status: 'mfa-required' } & MfaChallenge);

type AuthState = { status: 'restoring' } | { status: 'signed-out' } | { status: 'signed-in'; user: AuthUser };

/** After sign-up: signed in, or the email already had an account (whose owner the API mailed instead). */
export type SignUpResult = { status: 'signed-in'; user: AuthUser } | { status: 'check-inbox' };

interface AuthContextValue {
  state: AuthState;
  signIn(input: { email: string; password: string }): Promise<SignInResult>;
  /** The second step of an admin sign-in: a 6-digit code from the authenticator app, or a recovery code. */
  completeMfa(input: { mfaToken: string; code: string }): Promise<AuthUser>;
  /** Adopts a session the API opened elsewhere (confirming MFA enrolment answers a new one). */
  adopt(session: AuthResponse): void;
  signUp(input: { email: string; password: string; name: string }): Promise<SignUpResult>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | undefined>(undefined);

function stateOf(current: AuthResponse | undefined): AuthState {
  return current ? { status: 'signed-in', user: current.user } : { status: 'signed-out' };
}

/** Restores the sign-in from the refresh cookie at load, and follows every later change of the session. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<AuthState>({ status: 'restoring' });

  useEffect(() => {
    const unsubscribe = session.onChange((current) => {
      setState(stateOf(current));
      // However the session ended (sign-out, a suspension refused mid-page), nothing of it may stay cached.
      if (!current) queryClient.clear();
    });
    void session.refresh().then((current) => setState(stateOf(current)));
    return unsubscribe;
  }, [queryClient]);

  const signIn = useCallback(async (body: { email: string; password: string }): Promise<SignInResult> => {
    const result = unwrap(await api.POST('/api/auth/login', { body }));
    // Admins with a second factor get no session yet: the sign-in page asks for the code (POST /api/auth/mfa).
    if ('mfaRequired' in result) {
      return { status: 'mfa-required', mfaToken: result.mfaToken, expiresIn: result.expiresIn };
    }
    session.set(result);
    return { status: 'signed-in', user: result.user };
  }, []);

  const completeMfa = useCallback(async (body: { mfaToken: string; code: string }) => {
    const result = unwrap(await api.POST('/api/auth/mfa', { body }));
    session.set(result);
    return result.user;
  }, []);

  const adopt = useCallback(
    (next: AuthResponse) => {
      session.set(next);
      // Queries answered under the old session (an admin page refused before enrolment) must ask again.
      void queryClient.invalidateQueries();
    },
    [queryClient],
  );

  const signUp = useCallback(async (body: { email: string; password: string; name: string }): Promise<SignUpResult> => {
    // Register answers alike whether or not the email is taken and starts no session, so nobody learns which
    // addresses have accounts; signing in with the password just chosen is what only a new account's owner can do.
    unwrap(await api.POST('/api/auth/register', { body }));
    try {
      const result = unwrap(
        await api.POST('/api/auth/login', { body: { email: body.email, password: body.password } }),
      );
      // A new account is never an admin with a second factor; an existing one is, at most, mailed.
      if ('mfaRequired' in result) return { status: 'check-inbox' };
      session.set(result);
      return { status: 'signed-in', user: result.user };
    } catch (error) {
      // The address already had an account with another password: its owner got a mail, the form says so.
      if (error instanceof ApiError && error.status === 401) return { status: 'check-inbox' };
      throw error;
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.POST('/api/auth/logout');
    } finally {
      session.set(undefined);
      // Nothing of the last user may linger in the cache for the next one on this browser.
      queryClient.clear();
    }
  }, [queryClient]);

  const value = useMemo(
    () => ({ state, signIn, completeMfa, adopt, signUp, signOut }),
    [state, signIn, completeMfa, adopt, signUp, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
