/**
 * @voice/webhooks: outgoing webhooks. Standard Webhooks signatures, the SSRF guard that vets a URL at registration
 * and before every attempt, and the HTTP POST that connects to the vetted address only.
 */
export * from './ssrf-guard';
export * from './signing';
export * from './send';
export * from './secrets';
