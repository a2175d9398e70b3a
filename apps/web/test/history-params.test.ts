import { describe, expect, it } from 'vitest';

import {
  describePage,
  historyQuery,
  pageCount,
  pageSizeOptions,
  parseHistoryParams,
  toSearchParams,
  withFilters,
} from '../src/features/jobs/history/history-params';
import { describeJobType, isStepType } from '../src/features/jobs/history/job-types';

const parse = (query: string) => parseHistoryParams(new URLSearchParams(query));

describe('history view in the URL', () => {
  it('reads filters, page and page size from the search params', () => {
    expect(parse('status=failed&type=voice_clone&page=3&limit=50')).toEqual({
      status: 'failed',
      type: 'voice_clone',
      page: 3,
      limit: 50,
    });
    expect(parse('')).toEqual({ status: undefined, type: undefined, page: 1, limit: 20 });
  });

  it('falls back to the default for values the API would refuse', () => {
    expect(parse('status=done&type=karaoke&page=0&limit=500')).toEqual({
      status: undefined,
      type: undefined,
      page: 1,
      limit: 20,
    });
    expect(parse('page=-2&limit=2.5')).toMatchObject({ page: 1, limit: 20 });
    // Inherited object keys are not statuses.
    expect(parse('status=toString&type=constructor')).toMatchObject({ status: undefined, type: undefined });
  });

  it('writes only what differs from the defaults, and round-trips', () => {
    expect(toSearchParams(parse('')).toString()).toBe('');
    const params = { status: 'completed', type: 'tts', page: 2, limit: 5 } as const;
    expect(toSearchParams(params).toString()).toBe('type=tts&status=completed&page=2&limit=5');
    expect(parseHistoryParams(toSearchParams(params))).toEqual(params);
  });

  it('a new filter or page size goes back to page 1', () => {
    const onPage4 = parse('status=failed&page=4');
    expect(withFilters(onPage4, { type: 'denoise' })).toEqual({
      status: 'failed',
      type: 'denoise',
      page: 1,
      limit: 20,
    });
    expect(withFilters(onPage4, { status: undefined }).page).toBe(1);
    expect(withFilters(onPage4, { limit: 50 })).toMatchObject({ page: 1, limit: 50 });
  });

  it('maps a page to the API query as limit and offset', () => {
    expect(historyQuery(parse('page=2&status=running'))).toEqual({ limit: 20, offset: 20, status: 'running' });
    expect(historyQuery(parse('page=3&limit=5&type=dub'))).toEqual({ limit: 5, offset: 10, type: 'dub' });
    expect(historyQuery(parse(''))).toEqual({ limit: 20, offset: 0 });
  });
});

describe('pagination text', () => {
  it('says which rows are shown out of how many', () => {
    expect(describePage(20, 20, 73)).toBe('Showing 21–40 of 73');
    expect(describePage(60, 13, 73)).toBe('Showing 61–73 of 73');
    expect(describePage(72, 1, 73)).toBe('Showing 73 of 73');
    expect(describePage(0, 0, 0)).toBe('No jobs');
    expect(describePage(40, 0, 3)).toBe('No jobs on this page (3 in all)');
  });

  it('counts pages, with at least one', () => {
    expect(pageCount(73, 20)).toBe(4);
    expect(pageCount(40, 20)).toBe(2);
    expect(pageCount(0, 20)).toBe(1);
  });

  it('offers a page size from the URL among the usual ones', () => {
    expect(pageSizeOptions(20)).toEqual([10, 20, 50, 100]);
    expect(pageSizeOptions(2)).toEqual([2, 10, 20, 50, 100]);
  });
});

describe('job types', () => {
  it('names each step of a chain, and leaves an unknown op as it is', () => {
    expect(describeJobType('denoise')).toBe('Denoise');
    expect(describeJobType('tts+voice_clone')).toBe('Text to speech → Voice clone');
    expect(describeJobType('denoise+future_op')).toBe('Denoise → future_op');
    expect(isStepType('generate_sfx')).toBe(true);
    expect(isStepType('denoise+dub')).toBe(false);
  });
});
