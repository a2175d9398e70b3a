import type { ApiKeyScope } from './developer-queries';

/** Every scope with what it allows, in the order the form lists them (a Record: a new scope fails the build). */
const SCOPES: Record<ApiKeyScope, { label: string; allows: string }> = {
  'jobs:write': { label: 'Submit jobs', allows: 'start and cancel jobs (POST /api/jobs, /api/audio/*)' },
  'jobs:read': {
    label: 'Read jobs',
    allows: 'status, progress, history and downloads (the first download of a job charges credits)',
  },
  voices: { label: 'Voices', allows: 'the voice library: upload, list, share, delete' },
  'credits:read': { label: 'Read credits', allows: 'the credit balance' },
};

export const API_KEY_SCOPES = Object.keys(SCOPES) as ApiKeyScope[];

export function scopeLabel(scope: ApiKeyScope): string {
  return SCOPES[scope].label;
}

export function scopeDescription(scope: ApiKeyScope): string {
  return SCOPES[scope].allows;
}
