/** One line of plain words per event, for the digest's list of changes. */
import { describe, expect, it } from 'vitest';
import { summariseEvent } from '../../src/domain/digest-changes.js';
import type { DomainEvent } from '../../src/domain/events.js';

const dateLabel = (iso: string) => `D(${iso})`;
const instantLabel = (ms: number) => `I(${new Date(ms).toISOString()})`;
const e = (type: DomainEvent['type'], changes: DomainEvent['changes'] = {}, data?: Record<string, unknown>): DomainEvent => ({ type, commitmentId: 'c', meetingId: 'm', at: '2010-01-12T00:00:00.000Z', who: 'w', version: 2, changes, ...(data ? { data } : {}) });
const say = (ev: DomainEvent) => summariseEvent(ev, dateLabel, instantLabel);

describe('summariseEvent', () => {
  it('names the simple events', () => {
    expect(say(e('commitment.created'))).toBe('created');
    expect(say(e('commitment.policy_changed'))).toBe('reminder policy changed');
    expect(say(e('commitment.overdue'))).toBe('became overdue');
    expect(say(e('commitment.escalated'))).toBe('escalated to the co-chairs');
    expect(say(e('commitment.action_link_used'))).toBe('used a one-click link in a reminder');
    expect(say(e('reminder.sent'))).toBe('reminder.sent');
  });

  it('says each updated field, joined by semicolons', () => {
    expect(say(e('commitment.updated', { title: { from: 'Old', to: 'New' }, leads: { from: ['AUS'], to: ['AUS', 'IDN'] }, members: { from: [], to: ['LKA'] } }))).toBe('title "Old" → "New"; leads AUS → AUS, IDN; members none → LKA');
    expect(say(e('commitment.updated', { sourceText: { from: 'a', to: 'b' } }))).toBe('source text edited');
    expect(say(e('commitment.updated', { theme: { from: null, to: 'Protection' } }))).toBe('theme none → Protection');
    expect(say(e('commitment.updated', { theme: { from: 'Protection', to: null } }))).toBe('theme Protection → none');
    expect(say(e('commitment.updated', { target: { from: null, to: { units: 3, done: 0 } } }))).toBe('target none → 3 units');
    expect(say(e('commitment.updated', { target: { from: { units: 3, done: 1 }, to: null } }))).toBe('target 3 → none units');
    expect(say(e('commitment.updated', { leads: { from: 'AUS', to: 'IDN' } }))).toBe('leads AUS → IDN');
  });

  it('clips long titles at 60 characters and other fields at 40, with an ellipsis', () => {
    const t60 = 'x'.repeat(60);
    const t61 = 'y'.repeat(61);
    expect(say(e('commitment.updated', { title: { from: t60, to: t61 } }))).toBe(`title "${t60}" → "${'y'.repeat(59)}…"`);
    expect(say(e('commitment.updated', { theme: { from: 'a'.repeat(40), to: 'b'.repeat(41) } }))).toBe(`theme ${'a'.repeat(40)} → ${'b'.repeat(39)}…`);
  });

  it('says a status change in words, and a bare one without its change', () => {
    expect(say(e('commitment.status_changed', { status: { from: 'open', to: 'in_progress' } }))).toBe('status open → in progress');
    expect(say(e('commitment.status_changed', { status: { from: 'done', to: 'cancelled' } }))).toBe('status done → cancelled');
    expect(say(e('commitment.status_changed', { status: { from: 'odd', to: 'open' } }))).toBe('status odd → open');
    expect(say(e('commitment.status_changed'))).toBe('status changed');
  });

  it('says a deadline change with dates, instants, none and unknown shapes', () => {
    expect(say(e('commitment.due_changed', { due: { from: null, to: { date: '2010-02-01', timeZone: 'UTC' } } }))).toBe('deadline none → D(2010-02-01)');
    expect(say(e('commitment.due_changed', { due: { from: { at: '2010-02-01T10:00:00Z' }, to: undefined } }))).toBe('deadline I(2010-02-01T10:00:00.000Z) → none');
    expect(say(e('commitment.due_changed', { due: { from: { date: 7 }, to: 'soon' } }))).toBe('deadline unknown → unknown');
    expect(say(e('commitment.due_changed', { due: { from: { at: 5 }, to: null } }))).toBe('deadline unknown → none');
    expect(say(e('commitment.due_changed'))).toBe('deadline changed');
  });

  it('says units recorded, one or several, with the total and the note', () => {
    expect(say(e('commitment.unit_recorded', { 'target.done': { from: 0, to: 1 } }, { units: 1, note: 'held in Bali' }))).toBe('recorded 1 unit (now 1 done); note: "held in Bali"');
    expect(say(e('commitment.unit_recorded', { 'target.done': { from: 1, to: 3 } }, { units: 2 }))).toBe('recorded 2 units (now 3 done)');
    expect(say(e('commitment.unit_recorded', {}, { units: 'two' }))).toBe('recorded 1 unit');
  });

  it('quotes a note or a reason, clipped at 140 characters, and leaves out an empty one', () => {
    expect(say(e('commitment.completed', {}, { note: 'done' }))).toBe('completed; note: "done"');
    expect(say(e('commitment.completed', {}, { note: '' }))).toBe('completed');
    expect(say(e('commitment.completed', {}, { note: 42 }))).toBe('completed');
    expect(say(e('commitment.completed'))).toBe('completed');
    expect(say(e('commitment.completed', {}, { note: 'n'.repeat(140) }))).toBe(`completed; note: "${'n'.repeat(140)}"`);
    expect(say(e('commitment.completed', {}, { note: 'n'.repeat(141) }))).toBe(`completed; note: "${'n'.repeat(139)}…"`);
    expect(say(e('commitment.reopened', {}, { reason: 'not finished' }))).toBe('reopened: "not finished"');
    expect(say(e('commitment.reopened', {}, { reason: '' }))).toBe('reopened');
    expect(say(e('commitment.cancelled', {}, { reason: 'merged' }))).toBe('cancelled: "merged"');
    expect(say(e('commitment.cancelled'))).toBe('cancelled');
  });
});
