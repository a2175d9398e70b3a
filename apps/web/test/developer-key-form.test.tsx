import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { buildCreateKeyInput } from '../src/features/developer/create-key';
import { CreateKeyForm } from '../src/features/developer/create-key-form';

describe('buildCreateKeyInput', () => {
  const now = new Date(2026, 2, 10, 15, 0, 0); // 10 March 2026, 15:00 local

  it('trims the name, keeps the chosen scopes and makes an expiry day last until its local midnight', () => {
    const result = buildCreateKeyInput(
      { name: '  CI pipeline ', scopes: ['jobs:write', 'jobs:read'], expiresOn: '2026-03-10' },
      now,
    );
    expect(result).toEqual({
      input: {
        name: 'CI pipeline',
        scopes: ['jobs:write', 'jobs:read'],
        expiresAt: new Date(2026, 2, 10, 23, 59, 59, 999).toISOString(),
      },
    });
    expect(buildCreateKeyInput({ name: 'x', scopes: ['voices'], expiresOn: '' }, now)).toEqual({
      input: { name: 'x', scopes: ['voices'], expiresAt: null },
    });
  });

  it('names every problem: no name, no permission, a day already over', () => {
    expect(buildCreateKeyInput({ name: ' ', scopes: [], expiresOn: '2026-03-09' }, now)).toEqual({
      errors: {
        name: 'Give the key a name, such as where it will be used.',
        scopes: 'Choose at least one permission.',
        expiresOn: 'Choose today or a later day.',
      },
    });
  });
});

describe('CreateKeyForm', () => {
  it('sends the name and the checked permissions in their listed order', () => {
    const onCreate = vi.fn();
    render(<CreateKeyForm onCreate={onCreate} pending={false} error={undefined} />);
    const form = screen.getByRole('form', { name: 'Create a key' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Uploader' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: /Read credits/ }));
    fireEvent.click(within(form).getByRole('checkbox', { name: /Submit jobs/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(onCreate).toHaveBeenCalledWith({
      name: 'Uploader',
      scopes: ['jobs:write', 'credits:read'],
      expiresAt: null,
    });
  });

  it('shows what is missing next to the fields and sends nothing', () => {
    const onCreate = vi.fn();
    render(<CreateKeyForm onCreate={onCreate} pending={false} error={undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(onCreate).not.toHaveBeenCalled();
    const name = screen.getByLabelText('Name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Give the key a name, such as where it will be used.')).toBeTruthy();
    const permissions = screen.getByRole('group', { name: 'Permissions' });
    expect(permissions.getAttribute('aria-describedby')).toBeTruthy();
    expect(within(permissions).getByText('Choose at least one permission.')).toBeTruthy();
    // Unchecking what was checked brings the error back on the next try.
    fireEvent.change(name, { target: { value: 'x' } });
    const box = within(permissions).getByRole('checkbox', { name: /Voices/ });
    fireEvent.click(box);
    fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(onCreate).not.toHaveBeenCalled();
  });
});
