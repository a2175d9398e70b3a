import { fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { fieldsSchema } from '../src/features/jobs/new-job/chain';
import {
  fieldKind,
  type FieldErrors,
  type FormObject,
  initialObject,
  type JsonSchema,
  labelFor,
  parseObject,
  simplify,
  userDescription,
} from '../src/features/jobs/new-job/json-schema';
import { SchemaFields } from '../src/features/jobs/new-job/schema-fields';
import { STEP_CATALOG, stepSchemas } from '../src/features/jobs/new-job/step-types';

function Form({ schema, op = 'test', submitted = false }: { schema: JsonSchema; op?: string; submitted?: boolean }) {
  const [values, setValues] = useState<FormObject>(() => initialObject(schema));
  const errors: FieldErrors = submitted ? parseObject(schema, values, ['steps', '0']).errors : {};
  return (
    <SchemaFields
      op={op}
      schema={schema}
      values={values}
      onChange={setValues}
      errors={errors}
      errorPrefix="steps.0"
      idPrefix="form"
    />
  );
}

const steps = stepSchemas();

describe('the form generated from each step schema in openapi.json', () => {
  it('covers every step type of the document', () => {
    expect(steps.length).toBeGreaterThanOrEqual(11);
    expect(steps.map((step) => step.op)).toEqual(expect.arrayContaining(['denoise', 'tts', 'dub', 'edit']));
    // Every step type is offered by the builder: audio steps after an upload, the others by their endpoint.
    expect(STEP_CATALOG.types.map((type) => type.op).sort()).toEqual(steps.map((step) => step.op).sort());
  });

  it.each(steps)(
    '$op: a labelled control per property with its default, range, enum and required mark',
    ({ op, schema }) => {
      const fields = fieldsSchema(schema);
      const { container } = render(<Form schema={fields} op={op} />);
      expect(Object.keys(schema.properties ?? {})).toContain('op');
      // The discriminator is chosen by the picker, never a field.
      expect(screen.queryByLabelText(/^Op$/)).toBeNull();
      const required = new Set(fields.required ?? []);
      for (const [name, property] of Object.entries(fields.properties ?? {})) {
        const simple = simplify(property).schema;
        const kind = fieldKind(simple);
        const label = labelFor(name, property);
        if (kind.kind === 'array') {
          const group = screen.getByRole('group', { name: new RegExp(`^${label}`) });
          expect(within(group).getByRole('button', { name: /^Add / })).toBeTruthy();
          // A list that needs at least one item starts with one to fill in.
          expect(within(group).getAllByRole('group').length).toBe(kind.minItems > 0 ? 1 : 0);
          continue;
        }
        const control = screen.getByLabelText(label, { exact: true });
        if (required.has(name)) expect(control.getAttribute('aria-required')).toBe('true');
        if (simple.default !== undefined) expect((control as HTMLInputElement).value).toBe(String(simple.default));
        if (kind.kind === 'enum') {
          const options = within(control)
            .getAllByRole('option')
            .map((option) => option.getAttribute('value'));
          expect(options).toEqual(expect.arrayContaining(kind.values.map(String)));
        }
        if (kind.kind === 'number') {
          if (kind.min !== undefined) expect(control.getAttribute('min')).toBe(String(kind.min));
          if (kind.max !== undefined) expect(control.getAttribute('max')).toBe(String(kind.max));
          const hint = container.querySelector(`#${control.id}-hint`)?.textContent ?? '';
          const low = kind.min ?? kind.exclusiveMin;
          if (low !== undefined) expect(hint).toContain(low.toLocaleString('en-US', { maximumFractionDigits: 6 }));
        }
        if (simple.description) {
          expect(container.querySelector(`#${control.id}-hint`)?.textContent).toContain(
            userDescription(simple.description),
          );
        }
      }
    },
  );
});

describe('labels, hints and unions', () => {
  it('hints leave out the API routes the descriptions name for developers', () => {
    expect(userDescription('Denoise model id (GET /api/models); default: the best installed')).toBe(
      'Denoise model id; default: the best installed',
    );
  });

  it('humanises property names unless the schema has a title', () => {
    expect(labelFor('noise_level')).toBe('Noise level');
    expect(labelFor('target_lufs')).toBe('Target LUFS');
    expect(labelFor('target_voice_id')).toBe('Target voice ID');
    expect(labelFor('noise_level', { title: 'Strength' })).toBe('Strength');
  });

  it('denoise: the noise level is a select of the enum with "moderate" chosen, the range of a number is shown', () => {
    const denoise = STEP_CATALOG.byOp.get('denoise');
    const tts = STEP_CATALOG.byOp.get('tts');
    if (!denoise || !tts) throw new Error('missing step types');
    render(<Form schema={fieldsSchema(denoise.schema)} op="denoise" />);
    const level = screen.getByLabelText('Noise level') as HTMLSelectElement;
    expect(level.tagName).toBe('SELECT');
    expect(level.value).toBe('moderate');
    expect(
      within(level)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Light', 'Moderate', 'Aggressive']);
    render(<Form schema={fieldsSchema(tts.schema)} op="tts" />);
    expect(screen.getByText('From 0.5 to 2.')).toBeTruthy();
    // A bounded number gets a slider tied to the same value once it has one (empty is the API's default).
    const speed = screen.getByLabelText('Speed') as HTMLInputElement;
    expect(speed.placeholder).toBe('Default');
    expect(screen.queryByLabelText('Speed slider')).toBeNull();
    speed.focus();
    fireEvent.change(speed, { target: { value: '1' } });
    const slider = screen.getByLabelText('Speed slider') as HTMLInputElement;
    expect(document.activeElement).toBe(speed);
    expect(slider.value).toBe('1');
    fireEvent.change(slider, { target: { value: '1.5' } });
    expect(speed.value).toBe('1.5');
  });

  it('a nullable union is its non-null branch, optional; a union of constants is a select', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        gain: { anyOf: [{ type: 'number', minimum: 0, maximum: 10 }, { type: 'null' }] },
        shape: { anyOf: [{ const: 'sine' }, { const: 'square' }], default: 'sine' },
        loop: { type: 'boolean', default: true },
      },
      required: ['shape'],
    };
    render(<Form schema={schema} />);
    expect((screen.getByLabelText('Gain') as HTMLInputElement).type).toBe('number');
    expect((screen.getByLabelText('Shape') as HTMLSelectElement).value).toBe('sine');
    expect((screen.getByLabelText('Loop') as HTMLInputElement).checked).toBe(true);
    expect(parseObject(schema, initialObject(schema)).value).toEqual({ shape: 'sine', loop: true });
  });

  it('edit: operations are variants picked by their type, each with its own fields', () => {
    const edit = STEP_CATALOG.byOp.get('edit');
    if (!edit) throw new Error('no edit step');
    render(<Form schema={fieldsSchema(edit.schema)} op="edit" />);
    const operation = screen.getByRole('group', { name: 'Operation 1' });
    const type = within(operation).getByLabelText('Type') as HTMLSelectElement;
    expect(type.value).toBe('remove_blooper');
    expect(within(operation).getByLabelText('Start time')).toBeTruthy();
    fireEvent.change(type, { target: { value: 'mute_word' } });
    expect(within(operation).getByLabelText('Word')).toBeTruthy();
    expect(within(operation).queryByLabelText('Start time')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add operation' }));
    expect(screen.getByRole('group', { name: 'Operation 2' })).toBeTruthy();
    fireEvent.click(
      within(screen.getByRole('group', { name: 'Operation 2' })).getByRole('button', { name: 'Remove operation' }),
    );
    expect(screen.queryByRole('group', { name: 'Operation 2' })).toBeNull();
  });
});

describe('client validation against the schema constraints', () => {
  const get = (op: string) => {
    const type = STEP_CATALOG.byOp.get(op);
    if (!type) throw new Error(`no ${op}`);
    return fieldsSchema(type.schema);
  };

  it('names each broken constraint at its field', () => {
    expect(parseObject(get('dub'), initialObject(get('dub')), ['steps', '1']).errors).toEqual({
      'steps.1.target_language': 'Required.',
    });
    const tts = parseObject(get('tts'), { speed: '5', pitch: 'x', language: 'English' }).errors;
    expect(tts).toEqual({
      speed: 'Must be at most 2.',
      pitch: 'Must be a number.',
      language: 'Is not in the expected format.',
    });
    expect(parseObject(get('generate_music'), { genre: ' ', duration: '0.5', seed: '1.5' }).errors).toEqual({
      genre: 'Required.',
      duration: 'Must be at least 1.',
      seed: 'Must be a whole number.',
    });
    expect(parseObject(get('mood_music'), { mood: 'calm', platform: 'tiktok', duration: '0' }).errors).toEqual({
      duration: 'Must be more than 0.',
    });
    expect(parseObject(get('accent_change'), { target_accent: 'x'.repeat(51) }).errors).toEqual({
      target_accent: 'Must be at most 50 characters.',
    });
  });

  it('converts valid values to the request: numbers as numbers, empty optional fields left out, trimmed text', () => {
    expect(parseObject(get('tts'), { speed: '1.25', pitch: '', voice_id: ' slt ', language: '', model: '' })).toEqual({
      value: { speed: 1.25, voice_id: 'slt' },
      errors: {},
    });
  });

  it('shows the message under the field it belongs to', () => {
    render(<Form schema={get('dub')} op="dub" submitted />);
    const field = screen.getByLabelText('Target language');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = field.getAttribute('aria-describedby') ?? '';
    expect(describedBy.split(' ').map((id) => document.getElementById(id)?.textContent)).toContain('Required.');
  });
});
