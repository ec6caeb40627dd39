/** isRealDate on its own, without the schema's format check in front of it. */
import { describe, expect, it } from 'vitest';
import { isRealDate } from '../../src/domain/deadline.js';

describe('isRealDate', () => {
  it.each(['nope', '', 'x2009-12-31', '2009-12-31x', ' 2009-12-31', '2009-12-31\n'])('refuses %j, which is not exactly YYYY-MM-DD', (s) => {
    expect(isRealDate(s)).toBe(false);
  });

  it('refuses a year below 100, which Date.UTC would read as 19xx', () => {
    expect(isRealDate('0099-01-01')).toBe(false);
    expect(isRealDate('0100-01-01')).toBe(true);
  });

  it('accepts real days and refuses days that roll over into the next month', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2023-02-29')).toBe(false);
    expect(isRealDate('2009-04-31')).toBe(false);
    expect(isRealDate('2009-13-01')).toBe(false);
  });
});
