import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';

import type { IssuedSession } from './auth.service';
import type { AuthResponseDto } from './dto/auth.dto';

export const REFRESH_COOKIE_NAME = 'refresh_token';
/** The browser only sends the refresh cookie to the auth routes, never to the rest of the API. */
export const REFRESH_COOKIE_PATH = '/api/auth';

function cookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_COOKIE_PATH };
}

export function setRefreshCookie(response: Response, token: string, expiresAt: Date, secure: boolean): void {
  response.cookie(REFRESH_COOKIE_NAME, token, { ...cookieOptions(secure), expires: expiresAt });
}

/** Sets the session's refresh cookie and returns the response body (the access token and the user). */
export function withSessionCookie(response: Response, session: IssuedSession, secure: boolean): AuthResponseDto {
  setRefreshCookie(response, session.refreshToken, session.refreshExpiresAt, secure);
  return { accessToken: session.accessToken, expiresIn: session.expiresIn, user: session.user };
}

/** Clearing needs the same path/attributes the cookie was set with, or the browser keeps it. */
export function clearRefreshCookie(response: Response, secure: boolean): void {
  response.clearCookie(REFRESH_COOKIE_NAME, cookieOptions(secure));
}

/** The raw refresh token from the cookie, or undefined. */
export const RefreshTokenCookie = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const cookies: unknown = context.switchToHttp().getRequest<Request>().cookies;
    if (typeof cookies !== 'object' || cookies === null || !(REFRESH_COOKIE_NAME in cookies)) return undefined;
    const value: unknown = (cookies as Record<string, unknown>)[REFRESH_COOKIE_NAME];
    return typeof value === 'string' && value !== '' ? value : undefined;
  },
);
