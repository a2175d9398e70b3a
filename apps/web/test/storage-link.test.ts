import { describe, expect, it } from 'vitest';

import { sameOriginStorageLink } from '../src/lib/storage-link';

describe('signed storage links the app fetches itself', () => {
  it("plays a local driver's link on the app's own origin, signature kept", () => {
    expect(
      sameOriginStorageLink(
        'http://127.0.0.1:3000/api/files/jobs%2Fa%2Fout.wav?exp=1&sig=abc',
        'http://localhost:3000',
      ),
    ).toBe('/api/files/jobs%2Fa%2Fout.wav?exp=1&sig=abc');
  });
  it('leaves S3 presigned links alone', () => {
    const s3 = 'https://bucket.s3.example.com/jobs/a/out.wav?X-Amz-Signature=abc';
    expect(sameOriginStorageLink(s3, 'http://localhost:3000')).toBe(s3);
  });
});
