import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '../../api/client';

/** Fetches the export and hands it to the browser as a download (the API names the file). */
export function useExportData() {
  return useMutation({
    mutationFn: async () => {
      const result = await api.GET('/api/user/export', { parseAs: 'blob' });
      const blob = unwrap(result) as unknown as Blob;
      const disposition = result.response.headers.get('Content-Disposition') ?? '';
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'voice-platform-export.json';
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      link.click();
      // Revoked on the next turn: the click has started the download by then.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      return filename;
    },
  });
}

export function useDeleteAccount() {
  return useMutation({
    mutationFn: async (password: string) => unwrap(await api.DELETE('/api/user', { body: { password } })),
  });
}
