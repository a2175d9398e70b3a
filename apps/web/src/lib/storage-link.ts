/**
 * A signed link the app fetches or plays itself. The local storage driver signs links to this same API
 * (`/api/files/<key>?…`) under PUBLIC_BASE_URL, whose host name may not be the one the browser used (the
 * default names 127.0.0.1; a user may have opened localhost): fetched as given, such a link would be
 * cross-origin and refused by the CSP. The signature covers the key and expiry, not the host, so the path
 * alone reaches the same file on the app's own origin. Links elsewhere (S3 presigned URLs) are left alone.
 */
export function sameOriginStorageLink(url: string, origin: string = window.location.origin): string {
  const parsed = new URL(url, origin);
  return parsed.pathname.startsWith('/api/files/') ? `${parsed.pathname}${parsed.search}` : url;
}
