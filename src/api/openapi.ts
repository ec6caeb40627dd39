/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes
 * parse with (request bodies, queries), so the document cannot drift from
 * what the API accepts. Response shapes the domain keeps as TypeScript types
 * (the commitment view, the reminder plan, the digest) get a schema here.
 *
 * Every operation has a stable camelCase `operationId` (client generators name
 * their methods after it), every tag a description, and every operation lists
 * the errors it can answer. Tests hold the document to the app: a route walk
 * (no route undocumented), `npm run lint:openapi` (Redocly, 0 warnings), a
 * contract test that validates real responses against these schemas, and a
 * typed client generated with openapi-typescript.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { DecisionInputSchema, ExtensionInputSchema } from '../app/extensions.js';
import { ExtensionListQuery } from './routes/extensions.js';
import { CancelInputSchema, CommitmentInputSchema, CommitmentPatchSchema, CompleteInputSchema, EvidenceSchema, ReopenInputSchema, SlugSchema } from '../domain/commitment.js';
import { DueSchema } from '../domain/deadline.js';
import { MeetingCreateSchema, MeetingFileSchema, MeetingPatchSchema, MeetingSchema, MeetingStatusSchema } from '../domain/meeting.js';
import { MeetingDueSchema } from '../domain/meeting-due.js';
import { PartyIdSchema, PartyPatchSchema, PartySchema } from '../domain/party.js';
import { ReminderPolicySchema } from '../domain/reminder-policy.js';
import { StatusSchema } from '../domain/status.js';
import { ListQuerySchema } from './routes/commitments.js';
import { GetQuery as DigestGetQuery, ListQuery as DigestListQuery, PreviewQuery as DigestPreviewQuery, SendBody as DigestSendBody } from './routes/digest.js';
import { BulkRetrySchema, ListQuery as RemindersListQuery } from './routes/reminders.js';
import { StatusPageQuerySchema } from './routes/status-page.js';

// ---------------------------------------------------------------------------
// Response schemas

const Problem = z
  .object({
    type: z.string().describe('A URI naming the kind of error, e.g. https://followup.invalid/problems/validation'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).describe('Every bad field, by path (body fields, query.x, params.x, or a header name)'),
  })
  .meta({ id: 'Problem', description: 'Every error: application/problem+json (RFC 9457) naming the bad fields. A client whose Accept ranks text/html above JSON (a browser) gets the same error as an HTML page instead.' });

const instant = () => z.string().describe('UTC ISO 8601 instant');

const CommitmentView = z
  .object({
    id: SlugSchema,
    meetingId: SlugSchema,
    title: z.string(),
    sourceText: z.string(),
    theme: z.string().nullable(),
    leads: z.array(PartyIdSchema),
    members: z.array(PartyIdSchema),
    due: DueSchema,
    dueAt: z.string().nullable().describe('The instant the deadline ends (UTC), derived from due'),
    dueLink: MeetingDueSchema.optional().describe('Present when the deadline is tied to a meeting: due is the meeting’s first day moved by offset, in the meeting’s zone, and moves with it'),
    needsDeadline: z.boolean().describe('True while the deadline is tied to a meeting that has no date yet (due is then null)'),
    target: z.object({ units: z.number().int(), done: z.number().int() }).optional(),
    status: StatusSchema,
    overdue: z.boolean().describe('Derived from the deadline and the clock'),
    evidence: z.array(EvidenceSchema),
    cancellation: z.object({ reason: z.string(), by: z.string(), at: z.string() }).nullable(),
    reminderPolicy: ReminderPolicySchema.nullable(),
    dueVersion: z.number().int().describe('Goes up whenever the deadline moves'),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Commitment' });

const CommitmentPage = z
  .object({ items: z.array(CommitmentView), nextCursor: z.string().nullable().describe('Pass as cursor= for the next page; null on the last page') })
  .meta({ id: 'CommitmentPage' });

const DomainEvent = z
  .object({
    type: z.string().describe('commitment.created, commitment.updated, commitment.due_changed, commitment.completed, reminder.sent, …'),
    commitmentId: SlugSchema,
    meetingId: SlugSchema,
    at: instant(),
    who: z.string().describe('Token name, recipient address or worker name'),
    version: z.number().int().describe('The commitment’s version after this event'),
    changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'DomainEvent' });

const Party = PartySchema.meta({ id: 'Party' });
const meetingShape = {
  ...MeetingSchema.shape,
  startDate: MeetingSchema.shape.startDate.optional().describe('The first day (the meeting file’s name for startsOn); absent while a planned meeting has no date'),
  endDate: MeetingSchema.shape.endDate.optional().describe('The last day (the meeting file’s name for endsOn)'),
  location: z.string().describe('Where it meets (the meeting file’s place)'),
  startsOn: z.string().nullable().describe('The first day, YYYY-MM-DD, or null while a planned meeting has no date'),
  endsOn: z.string().nullable().describe('The last day, YYYY-MM-DD, or null'),
  status: MeetingStatusSchema,
};
const Meeting = z.object(meetingShape).meta({ id: 'Meeting', description: 'A meeting. location, startsOn and endsOn are the meetings API’s names for the meeting file’s place, startDate and endDate.' });
const MeetingDetail = z
  .object({ ...meetingShape, commitmentIds: z.array(SlugSchema).describe('Ids of the meeting’s commitments (an editor sees its parties’ only)') })
  .meta({ id: 'MeetingDetail' });
const MeetingChange = z
  .object({
    meeting: Meeting,
    deadlines: z
      .object({ moved: z.array(SlugSchema), failed: z.array(SlugSchema) })
      .describe('The commitments whose deadlines are tied to this meeting and moved with it (each with a new dueVersion), and any that could not be moved (logged; run the change again)'),
  })
  .meta({ id: 'MeetingChange' });
const draftField = z.object({ span: z.tuple([z.number().int(), z.number().int()]).nullable(), confidence: z.number(), via: z.string() });
const MeetingDraft = z
  .object({
    meeting: MeetingSchema,
    parties: z.array(PartySchema),
    commitments: z.array(
      z.object({
        id: SlugSchema,
        title: z.string(),
        sourceText: z.string(),
        theme: z.null(),
        leads: z.array(PartyIdSchema),
        members: z.array(PartyIdSchema),
        due: z.union([DueSchema, MeetingDueSchema]),
        target: z.object({ units: z.number().int() }).optional(),
      }),
    ),
    warnings: z.array(z.object({ path: z.string(), message: z.string() })).describe('Where the text disagrees with itself or names what the registry does not know'),
    participants: z.array(z.object({ partyId: PartyIdSchema, role: z.enum(['participant', 'observer']), span: z.tuple([z.number().int(), z.number().int()]) })),
    provenance: z.record(z.string(), draftField).describe('For each extracted field, by path (commitments.4.due): the character span [start, end) it came from, a confidence between 0 and 1, and the rule that found it'),
  })
  .meta({ id: 'MeetingDraft', description: 'A draft meeting file: POST it to /v1/meetings/import after review (warnings, participants and provenance are ignored there).' });
const ImportResult = z
  .object({
    meetingId: SlugSchema,
    meeting: z.enum(['created', 'existing']),
    parties: z.object({ created: z.number().int(), existing: z.number().int() }),
    commitments: z.object({ created: z.array(SlugSchema), existing: z.array(SlugSchema) }),
  })
  .meta({ id: 'ImportResult' });

const Counts = z.object({ open: z.number().int(), in_progress: z.number().int(), done: z.number().int(), cancelled: z.number().int(), overdue: z.number().int() });
const StatusSummary = z
  .object({ asOf: instant(), total: z.number().int(), byStatus: Counts, byParty: z.record(z.string(), Counts) })
  .meta({ id: 'StatusSummary', description: 'Counts by status (overdue counted apart), overall and per party' });

const SendState = z.enum(['planned', 'sent', 'skipped', 'failed']);
const PlannedRecipient = z.object({
  address: z.string(),
  copied: z.boolean().describe('A copy (co-chair, steering group) rather than a lead or member'),
  state: SendState,
  at: z.string().optional(),
  messageId: z.string().optional(),
  error: z.string().optional(),
  responseCode: z.number().int().optional(),
});
const PlannedSendView = z.object({
  id: z.string().describe('The send id, stable for a commitment, step and due version'),
  step: z.string(),
  stepKey: z.string(),
  at: instant(),
  nominalAt: z.string().optional().describe('The step’s instant before the send hour and quiet days moved it'),
  moved: z
    .object({ from: z.string().describe('The local time it would have gone out, e.g. 2010-01-01T09:00+11:00'), because: z.string().describe('Why: a weekday name, a public holiday with its country, or the party’s closed day') })
    .optional()
    .describe('Set when the send was moved off a quiet day, a public holiday or a closed day of the party'),
  partyId: PartyIdSchema,
  timeZone: z.string(),
  state: SendState,
  skipReason: z.string().optional(),
  recipients: z.array(PlannedRecipient),
});
const ReminderPlan = z
  .object({
    commitmentId: SlugSchema,
    dueVersion: z.number().int(),
    status: StatusSchema,
    statusCheck: z.object({ id: z.string(), at: instant() }).nullable().describe('The status check after the deadline, while the commitment is open'),
    items: z.array(PlannedSendView),
  })
  .meta({ id: 'ReminderPlan' });
const ReminderDelivery = z
  .object({
    sendId: z.string(),
    recipient: z.string(),
    state: z.string().describe('failed or sent'),
    at: z.string(),
    commitmentId: z.string().nullable(),
    step: z.string().nullable(),
    dueVersion: z.number().int().nullable(),
    plannedAt: z.string().nullable(),
    messageId: z.string().optional(),
    error: z.string().optional(),
    responseCode: z.number().int().optional(),
  })
  .meta({ id: 'ReminderDelivery' });
const RetryAccepted = z
  .object({ sendId: z.string(), commitmentId: SlugSchema, state: z.literal('queued'), recipients: z.array(z.string()) })
  .meta({ id: 'ReminderRetry' });

const DigestItem = z.object({ id: SlugSchema, title: z.string(), leads: z.array(z.string()), status: StatusSchema }).loose();
const section = (item: z.ZodType) => z.object({ items: z.array(item), total: z.number().int() });
const DigestPreview = z
  .object({
    period: z.object({ from: instant(), to: instant(), first: z.boolean(), fromLabel: z.string(), toLabel: z.string() }),
    asOf: instant(),
    timeZone: z.string(),
    scope: z.object({ party: PartyIdSchema, name: z.string() }).nullable(),
    partyNames: z.record(z.string(), z.string()),
    meetings: z.array(z.object({ id: SlugSchema, title: z.string(), place: z.string(), startDate: z.string(), endDate: z.string() })),
    headline: z.object({
      total: z.number().int(),
      open: z.number().int(),
      inProgress: z.number().int(),
      done: z.number().int(),
      cancelled: z.number().int(),
      overdue: z.number().int(),
      withoutDeadline: z.number().int(),
      dueSoon: z.number().int(),
    }),
    completed: section(DigestItem),
    overdue: section(DigestItem),
    dueSoon: section(DigestItem),
    needsDeadline: section(DigestItem),
    progress: section(DigestItem),
    failedDeliveries: section(z.object({ at: z.string(), recipient: z.string(), error: z.string(), commitmentId: z.string().nullable() }).loose()),
    changes: section(z.object({ at: z.string(), who: z.string(), commitmentId: z.string(), type: z.string(), summary: z.string() }).loose()),
    changesByWho: z.array(z.object({ who: z.string(), count: z.number().int() })),
    parties: z.array(z.object({ id: z.string(), name: z.string(), open: section(DigestItem), overdue: section(DigestItem), done: section(DigestItem) })),
    isEmpty: z.boolean().describe('Nothing happened in the period: no change, completion or failed delivery'),
  })
  .meta({ id: 'DigestPreview', description: 'The digest as data (format=json)' });
const DigestSummary = z
  .object({
    id: z.string(),
    sendId: z.string(),
    kind: z.enum(['scheduled', 'manual']),
    scope: z.string().nullable().describe('null: the full digest; a party id: that party’s digest'),
    period: z.object({ from: instant(), to: instant(), first: z.boolean() }),
    asOf: instant(),
    createdAt: instant(),
    subject: z.string(),
    empty: z.boolean(),
    recipients: z.array(z.object({ email: z.string(), messageId: z.string(), state: z.enum(['pending', 'sent', 'failed', 'skipped']), at: z.string().optional(), error: z.string().optional() })),
    requestHash: z.string().optional(),
  })
  .meta({ id: 'DigestSummary' });
const ArchivedDigest = z.object({ ...DigestSummary.shape, text: z.string(), html: z.string() }).meta({ id: 'ArchivedDigest' });
const DigestSendResult = z.object({ sendId: z.string(), replayed: z.boolean(), digests: z.array(DigestSummary) }).meta({ id: 'DigestSendResult' });

// ---------------------------------------------------------------------------
// Building blocks

const CommitmentId = z.object({ id: SlugSchema });
const PartyId = z.object({ id: PartyIdSchema });
const header = (description: string) => ({ description, schema: { type: 'string' as const } });
const Json = (schema: z.ZodType, description = 'OK', headers?: Record<string, ReturnType<typeof header>>) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } });
const Text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });
/** An error: problem+json for API clients; a browser whose Accept prefers text/html gets the same error as a page. */
const problem = (description: string, headers?: Record<string, ReturnType<typeof header>>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: Problem }, 'text/html': { schema: z.string().describe('The same error as an HTML page, for a browser (Accept prefers text/html)') } },
});
const page = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const etagHeader = { ETag: header('The commitment’s version, e.g. "3"; send it back as If-Match') };
const retryAfter = { 'Retry-After': header('Seconds to wait') };

type Access = 'public' | 'bearer' | 'admin' | 'writer' | 'feed-token' | 'metrics';
const security: Record<Access, RouteConfig['security']> = {
  public: [],
  bearer: [{ bearer: [] }],
  admin: [{ bearer: [] }],
  writer: [{ bearer: [] }],
  'feed-token': [],
  metrics: [{ bearer: [] }],
};
const note: Record<Access, string> = {
  public: 'No authentication.',
  bearer: 'Any API token (editors see only their parties).',
  admin: 'Admin token only.',
  writer: 'Admin, or an editor scoped to a party of the commitment (to an editor, any other commitment is 404, as if it did not exist).',
  'feed-token': 'The read-only feed token in the URL (from GET /v1/parties/{id}/calendar-url).',
  metrics: 'METRICS_TOKEN, or an admin token when it is unset; absent when METRICS_PORT moves it to its own port.',
};

/** The tags, in the order the docs show them, each with what it groups. */
export const TAGS = [
  { name: 'Commitments', description: 'What a meeting agreed: who leads it, who takes part, its deadline, progress, evidence and history. Changes take If-Match against lost updates.' },
  { name: 'Reminders', description: 'The reminder plan of each commitment, delivery outcomes, retries, and the one-click “done” links in reminder mail.' },
  { name: 'Digest', description: 'The weekly digest to the co-chairs and steering group: preview, out-of-schedule sends (idempotent), and the archive of what was sent.' },
  { name: 'Parties and meetings', description: 'The parties (states, organisations, observers) with their contacts and time zones, the meetings, meeting-file import, and status counts.' },
  { name: 'Calendar', description: 'iCalendar feeds of deadlines: all of them for API clients, one party’s with a read-only feed token for calendar apps.' },
  { name: 'Status page', description: 'The read-only HTML status page for officials.' },
  { name: 'Operations', description: 'Health and readiness checks, Prometheus metrics, this document and its HTML view, and the queue dashboard.' },
] as const;
type Tag = (typeof TAGS)[number]['name'];

/** Routes that read Redis before anything else can fail: a store outage answers 503 there. */
const NO_STORE = new Set(['/healthz', '/openapi.json', '/docs', '/admin/logout', '/favicon.ico', '/favicon.svg']);
/** Health checks sit before the rate limits (src/api/rate-limit.ts); every other route is behind one. */
const NO_RATE_LIMIT = new Set(['/healthz', '/readyz']);

/** Build the document. `baseUrl` becomes the one server entry. */
export function buildOpenApiDocument(baseUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <token> (API_TOKENS, or the generated admin token)' });

  interface Op extends Partial<RouteConfig> {
    /** The route takes a JSON body: 413 (too large) and 415 (not JSON) apply. */
    json?: boolean;
    /** The route validates input (params, query, body or a header): 400 applies. */
    input?: boolean;
  }
  const add = (method: RouteConfig['method'], path: string, tag: Tag, access: Access, operationId: string, summary: string, { json = false, input = true, ...rest }: Op = {}) => {
    const errors = {
      ...(input ? { 400: problem('Bad input; every bad field is named') } : {}),
      ...(access === 'public' || access === 'feed-token' ? {} : { 401: problem('No or an invalid credential', { 'WWW-Authenticate': header('Bearer') }) }),
      ...(access === 'admin' || access === 'writer' || access === 'metrics' ? { 403: problem('The role or party scope does not allow this') } : {}),
      ...(json ? { 413: problem('The body is larger than BODY_LIMIT'), 415: problem('The body is not application/json') } : {}),
      ...(NO_RATE_LIMIT.has(path) ? {} : { 429: problem('Too many requests (per token, per address, or failed sign-ins per address)', retryAfter) }),
      ...(NO_STORE.has(path) ? {} : { 503: problem('The data store (Redis) is not reachable; try again shortly', retryAfter) }),
    };
    registry.registerPath({
      method,
      path,
      operationId,
      tags: [tag],
      summary,
      description: `${rest.description ? `${rest.description}\n\n` : ''}Access: ${note[access]}`,
      security: security[access] ?? [],
      ...rest,
      responses: { ...errors, ...(rest.responses ?? { 200: { description: 'OK' } }) },
    });
  };
  const body = (schema: z.ZodType, type = 'application/json') => ({ body: { required: true, content: { [type]: { schema } } } });

  // Operations
  add('get', '/healthz', 'Operations', 'public', 'getHealth', 'Liveness: the process is up', { input: false, responses: { 200: Json(z.object({ status: z.literal('ok') })) } });
  add('get', '/readyz', 'Operations', 'public', 'getReadiness', 'Readiness: Redis answers', {
    input: false,
    responses: { 200: Json(z.object({ status: z.literal('ready'), redis: z.object({ ok: z.boolean(), rttMs: z.number() }) })), 503: problem('Redis is not reachable', retryAfter) },
  });
  add('get', '/metrics', 'Operations', 'metrics', 'getMetrics', 'Prometheus metrics', { input: false, responses: { 200: Text('text/plain', 'Prometheus text format') } });
  add('get', '/openapi.json', 'Operations', 'public', 'getOpenApiDocument', 'This document', { input: false, responses: { 200: Json(z.record(z.string(), z.unknown()), 'The OpenAPI 3.1 document') } });
  add('get', '/docs', 'Operations', 'public', 'getApiDocs', 'These docs, as HTML', { input: false, responses: { 200: Text('text/html', 'HTML') } });
  add('get', '/admin/login', 'Operations', 'public', 'adminLogin', 'Exchange an admin token for a one-hour dashboard cookie', {
    request: { query: z.object({ token: z.string() }) },
    responses: { 303: { description: 'Cookie set; redirect to /admin/queues' }, 401: problem('Invalid token'), 403: problem('Not an admin token') },
  });
  add('get', '/admin/logout', 'Operations', 'public', 'adminLogout', 'Clear the session cookie', { input: false, responses: { 303: { description: 'Redirect to /' } } });
  add('get', '/admin/queues', 'Operations', 'admin', 'getQueueDashboard', 'The BullMQ queue dashboard (bull-board); its JSON API lives under /admin/queues/api', {
    description: 'Admin bearer token, or the cookie from /admin/login.',
    input: false,
    responses: { 200: Text('text/html', 'The dashboard') },
  });

  // Status page and calendar
  add('get', '/', 'Status page', 'public', 'getStatusPage', 'Read-only status page for officials', {
    description: 'Public, or (STATUS_PAGE=token) a bearer token or the cookie set by opening /?token=<token> once.',
    request: { query: StatusPageQuerySchema, headers: z.object({ 'if-none-match': z.string().optional().describe('The ETag of a copy the client holds') }) },
    responses: {
      200: { ...Text('text/html', 'The page'), headers: { ETag: header('Changes when the page would') } },
      304: { description: 'Not modified: the If-None-Match ETag is current' },
      303: { description: 'After ?token=: cookie set, redirect without the token' },
      401: page('STATUS_PAGE=token and no valid viewer token or cookie: a page saying how to sign in'),
    },
  });
  for (const [path, operationId] of [['/favicon.svg', 'getFavicon'], ['/favicon.ico', 'getFaviconIco']] as const) {
    add('get', path, 'Status page', 'public', operationId, 'The site icon (SVG, also under the name browsers ask for)', { input: false, responses: { 200: Text('image/svg+xml', 'The icon') } });
  }
  add('get', '/v1/calendar.ics', 'Calendar', 'bearer', 'getCalendar', 'iCalendar feed of every deadline', { input: false, responses: { 200: Text('text/calendar', 'RFC 5545; UID = id@host, SEQUENCE = dueVersion') } });
  add('get', '/v1/calendar/{party}.ics', 'Calendar', 'feed-token', 'getPartyCalendar', 'iCalendar feed of one party’s deadlines', {
    request: { params: z.object({ party: PartyIdSchema }), query: z.object({ token: z.string() }) },
    responses: { 200: Text('text/calendar', 'RFC 5545'), 401: problem('Missing or wrong feed token'), 404: problem('Unknown party') },
  });
  add('get', '/v1/parties/{party}/calendar-url', 'Calendar', 'admin', 'getPartyCalendarUrl', 'The feed URL of a party (with its feed token)', {
    request: { params: z.object({ party: PartyIdSchema }) },
    responses: { 200: Json(z.object({ party: PartyIdSchema, url: z.string(), webcal: z.string() }).meta({ id: 'CalendarUrl' })), 404: problem('Unknown party') },
  });

  // Commitments
  const one = {
    200: Json(CommitmentView, 'The commitment after the change', etagHeader),
    404: problem('No such commitment (or, to an editor, one outside its parties)'),
    409: problem('Illegal transition or conflict'),
    412: problem('If-Match names a stale version'),
  };
  const ifMatch = z.object({ 'if-match': z.string().optional().describe('An ETag from a previous response, e.g. "3"; a stale one answers 412') });
  add('get', '/v1/commitments', 'Commitments', 'bearer', 'listCommitments', 'List and filter commitments', { request: { query: ListQuerySchema }, responses: { 200: Json(CommitmentPage) } });
  add('post', '/v1/commitments', 'Commitments', 'admin', 'createCommitment', 'Create a commitment', {
    json: true,
    request: body(CommitmentInputSchema),
    responses: { 201: Json(CommitmentView, 'Created', { ...etagHeader, Location: header('/v1/commitments/{id}') }), 409: problem('The id is taken') },
  });
  add('get', '/v1/commitments/{id}', 'Commitments', 'bearer', 'getCommitment', 'Read a commitment (ETag = version)', {
    request: { params: CommitmentId },
    responses: { 200: Json(CommitmentView, 'OK', etagHeader), 404: problem('No such commitment (or, to an editor, one outside its parties)') },
  });
  add('patch', '/v1/commitments/{id}', 'Commitments', 'writer', 'updateCommitment', 'Change a commitment; send If-Match to guard against lost updates', { json: true, request: { params: CommitmentId, headers: ifMatch, ...body(CommitmentPatchSchema) }, responses: one });
  add('post', '/v1/commitments/{id}/complete', 'Commitments', 'writer', 'completeCommitment', 'Record completion evidence (one unit of a multi-unit target)', { json: true, request: { params: CommitmentId, headers: ifMatch, ...body(CompleteInputSchema) }, responses: one });
  add('post', '/v1/commitments/{id}/reopen', 'Commitments', 'writer', 'reopenCommitment', 'Reopen a done commitment', {
    json: true,
    request: { params: CommitmentId, headers: ifMatch, body: { content: { 'application/json': { schema: ReopenInputSchema } } } },
    responses: one,
  });
  add('post', '/v1/commitments/{id}/cancel', 'Commitments', 'writer', 'cancelCommitment', 'Cancel a commitment', { json: true, request: { params: CommitmentId, headers: ifMatch, ...body(CancelInputSchema) }, responses: one });
  add('get', '/v1/commitments/{id}/history', 'Commitments', 'bearer', 'getCommitmentHistory', 'The commitment’s domain events', {
    request: { params: CommitmentId },
    responses: { 200: Json(z.object({ items: z.array(DomainEvent) })), 404: problem('No such commitment') },
  });

  // Reminders
  add('get', '/v1/commitments/{id}/reminders', 'Reminders', 'bearer', 'getCommitmentReminders', 'The reminder plan of a commitment with each recipient’s delivery state', {
    request: { params: CommitmentId },
    responses: { 200: Json(ReminderPlan), 404: problem('No such commitment') },
  });
  add('get', '/v1/reminders', 'Reminders', 'bearer', 'listReminderDeliveries', 'Failed or sent reminder deliveries, newest first, a page at a time (pass nextCursor as cursor)', {
    request: { query: RemindersListQuery },
    responses: { 200: Json(z.object({ items: z.array(ReminderDelivery), nextCursor: z.string().nullable().describe('The cursor of the next page; null on the last page') })) },
  });
  add('post', '/v1/reminders/retry', 'Reminders', 'admin', 'retryReminders', 'Retry every failed reminder send that matches a filter (of one commitment, failed since an instant); sends of closed commitments or moved deadlines are left', {
    request: { body: { content: { 'application/json': { schema: BulkRetrySchema } } } },
    json: true,
    responses: { 202: Json(z.object({ count: z.number().int().describe('Sends enqueued') }).meta({ id: 'ReminderBulkRetry' }), 'Enqueued') },
  });
  add('post', '/v1/reminders/{sendId}/retry', 'Reminders', 'admin', 'retryReminder', 'Retry a failed reminder send now', {
    request: { params: z.object({ sendId: z.string() }) },
    responses: {
      202: Json(RetryAccepted, 'Enqueued'),
      404: problem('No such send'),
      409: problem('Nothing failed to retry, the commitment is closed, or its deadline moved since'),
      503: problem('The data store is not reachable, or this process has no reminders queue', retryAfter),
    },
  });
  const linkRefusals = {
    400: page('The link is incomplete or altered, or the form is wrong: an HTML page saying so'),
    403: page('The recipient is no longer a contact entitled to this link: an HTML page'),
    404: page('What the link was for no longer exists: an HTML page'),
    409: page('Already used, already decided, the commitment closed, or changed since the mail (stale): an HTML page'),
    410: page('The link has expired: an HTML page'),
    429: page('Too many requests from this address: an HTML page (Retry-After)'),
  };
  const LinkToken = z.object({ token: z.string().describe('The opaque signed link token from the mail (a random id and its MAC; it carries no address)') });
  add('get', '/actions/l/{token}', 'Reminders', 'public', 'openSignedLink', 'The page of a signed link from a mail: a commitment for its recipient (view) or the form of an action', {
    description:
      'Every link in every mail is one of these: single-purpose (view, complete, progress, extend, approve, decline), expiring, bound to the state it was issued in, for one recipient. GET never changes anything. Refusals are HTML pages for a person, not problem+json.',
    request: { params: LinkToken },
    responses: { 200: Text('text/html', 'The commitment page, or the action form'), ...linkRefusals },
  });
  add('post', '/actions/l/{token}', 'Reminders', 'public', 'actOnSignedLink', 'Submit the form of a signed link: complete (note, evidenceUrl, completedOn), record progress (note), request more time (newDate, reason), approve or decline (note)', {
    description: 'Recorded under the recipient’s address. An acting link is used once. Refusals are HTML pages for a person, not problem+json.',
    request: {
      params: LinkToken,
      ...body(
        z.object({
          commitmentId: z.string().optional(),
          note: z.string().optional(),
          evidenceUrl: z.string().optional(),
          completedOn: z.string().optional(),
          newDate: z.string().optional(),
          reason: z.string().optional(),
        }),
        'application/x-www-form-urlencoded',
      ),
    },
    responses: { 200: Text('text/html', 'Done'), ...linkRefusals, 413: page('The form is larger than 20 kB') },
  });
  add('get', '/actions/done', 'Reminders', 'public', 'retiredDoneLink', 'The retired one-click link (its token carried the address): a page saying to use the newest mail', {
    input: false,
    responses: { 410: page('This kind of link is no longer used'), 200: Text('text/html', 'Never answered; present for the linter') },
  });
  add('post', '/actions/done', 'Reminders', 'public', 'retiredDoneLinkPost', 'The retired one-click link’s form: a page saying to use the newest mail', {
    input: false,
    responses: { 410: page('This kind of link is no longer used'), 200: Text('text/html', 'Never answered; present for the linter') },
  });

  // Requests for more time
  const ExtensionRequestView = z
    .object({
      id: z.string(),
      commitmentId: z.string(),
      meetingId: z.string(),
      state: z.enum(['pending', 'approved', 'declined', 'expired']),
      fromDue: z.unknown(),
      newDate: z.string(),
      timeZone: z.string(),
      reason: z.string(),
      requestedBy: z.string(),
      requestedAt: z.string(),
      decideBy: z.string(),
      dueVersion: z.number().int(),
      decidedBy: z.string().optional(),
      decidedAt: z.string().optional(),
      decisionNote: z.string().optional(),
    })
    .meta({ id: 'ExtensionRequest' });
  const RequestId = z.object({ id: z.string().describe('A request id such as ext-0123456789ab') });
  add('get', '/v1/extension-requests', 'Commitments', 'bearer', 'listExtensionRequests', 'Requests for more time in one state (pending by default)', {
    request: { query: ExtensionListQuery },
    responses: { 200: Json(z.object({ items: z.array(ExtensionRequestView) })) },
  });
  add('get', '/v1/commitments/{id}/extension-requests', 'Commitments', 'bearer', 'getCommitmentExtensionRequests', 'The requests for more time of a commitment', {
    request: { params: CommitmentId },
    responses: { 200: Json(z.object({ items: z.array(ExtensionRequestView) })), 404: problem('No such commitment') },
  });
  add('post', '/v1/commitments/{id}/extension-requests', 'Commitments', 'writer', 'requestExtension', 'Ask the co-chairs for more time (admin, or an editor whose party leads the commitment)', {
    json: true,
    request: { params: CommitmentId, ...body(ExtensionInputSchema) },
    responses: { 201: Json(ExtensionRequestView, 'Created; the co-chairs are mailed'), 404: problem('No such commitment'), 409: problem('A request is already pending, or the commitment is closed') },
  });
  add('post', '/v1/extension-requests/{id}/approve', 'Commitments', 'admin', 'approveExtension', 'Approve a pending request: the deadline moves as by PATCH (new dueVersion), the leads are mailed', {
    json: true,
    request: { params: RequestId, ...body(DecisionInputSchema) },
    responses: { 200: Json(ExtensionRequestView), 404: problem('No such request'), 409: problem('Already decided, or the commitment is closed') },
  });
  add('post', '/v1/extension-requests/{id}/decline', 'Commitments', 'admin', 'declineExtension', 'Decline a pending request; the leads are mailed', {
    json: true,
    request: { params: RequestId, ...body(DecisionInputSchema) },
    responses: { 200: Json(ExtensionRequestView), 404: problem('No such request'), 409: problem('Already decided') },
  });

  // Parties and meetings
  add('get', '/v1/parties', 'Parties and meetings', 'bearer', 'listParties', 'List parties', { input: false, responses: { 200: Json(z.object({ items: z.array(Party) })) } });
  add('post', '/v1/parties', 'Parties and meetings', 'admin', 'createParty', 'Create a party', {
    json: true,
    request: body(PartySchema),
    responses: { 201: Json(Party, 'Created', { Location: header('/v1/parties/{id}') }), 409: problem('The id is taken') },
  });
  add('get', '/v1/parties/{id}', 'Parties and meetings', 'bearer', 'getParty', 'Read a party', { request: { params: PartyId }, responses: { 200: Json(Party), 404: problem('No such party') } });
  add('patch', '/v1/parties/{id}', 'Parties and meetings', 'writer', 'updateParty', 'Change a party (editors: contacts, time zone and closed days of their own parties); a new zone, country or closed days re-plan its reminders', {
    json: true,
    request: { params: PartyId, ...body(PartyPatchSchema) },
    responses: { 200: Json(Party), 404: problem('No such party') },
  });
  add('get', '/v1/meetings', 'Parties and meetings', 'bearer', 'listMeetings', 'List meetings', { input: false, responses: { 200: Json(z.object({ items: z.array(Meeting) })) } });
  add('get', '/v1/meetings/{id}', 'Parties and meetings', 'bearer', 'getMeeting', 'Read a meeting with its commitment ids', { request: { params: z.object({ id: SlugSchema }) }, responses: { 200: Json(MeetingDetail), 404: problem('No such meeting') } });
  const MeetingIdParams = z.object({ id: SlugSchema });
  add('post', '/v1/meetings', 'Parties and meetings', 'admin', 'createMeeting', 'Create a meeting (a planned one may have no dates yet)', {
    json: true,
    request: body(MeetingCreateSchema),
    responses: { 201: Json(MeetingChange, 'Created', { Location: header('/v1/meetings/{id}') }), 409: problem('The id is taken') },
  });
  add('patch', '/v1/meetings/{id}', 'Parties and meetings', 'admin', 'updateMeeting', 'Change a meeting; a new first day or zone moves every deadline tied to it', {
    json: true,
    request: { params: MeetingIdParams, ...body(MeetingPatchSchema) },
    responses: { 200: Json(MeetingChange), 404: problem('No such meeting'), 409: problem('Changed by many writers at once; try again') },
  });
  add('delete', '/v1/meetings/{id}', 'Parties and meetings', 'admin', 'deleteMeeting', 'Delete a meeting that no deadline points to and no commitment belongs to', {
    request: { params: MeetingIdParams },
    responses: { 204: { description: 'Deleted' }, 404: problem('No such meeting'), 409: problem('Deadlines are tied to it, or commitments belong to it; every one is named') },
  });
  add('post', '/v1/meetings/draft', 'Parties and meetings', 'admin', 'draftMeeting', 'Draft a meeting file from an outcome statement (text/plain, at most 1 MiB); nothing is stored', {
    request: body(z.string().describe('The outcome statement, UTF-8 text'), 'text/plain'),
    responses: {
      200: Json(MeetingDraft),
      413: problem('Larger than 1 MiB'),
      415: problem('The body is not text/plain'),
    },
  });
  add('post', '/v1/meetings/import', 'Parties and meetings', 'admin', 'importMeeting', 'Import a meeting file (idempotent; nothing loads when any field is wrong)', {
    json: true,
    request: body(MeetingFileSchema),
    responses: { 200: Json(ImportResult, 'Already present'), 201: Json(ImportResult, 'Created'), 413: problem('Larger than 10 MB') },
  });
  add('get', '/v1/status', 'Parties and meetings', 'bearer', 'getStatusSummary', 'Counts by status, overall and per party', { input: false, responses: { 200: Json(StatusSummary) } });

  // Digest
  add('get', '/v1/digest/preview', 'Digest', 'bearer', 'previewDigest', 'Preview the next digest without sending it', {
    request: { query: DigestPreviewQuery },
    responses: {
      200: { description: 'The digest', headers: { 'X-Digest-Empty': header('true when nothing happened in the period') }, content: { 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() }, 'application/json': { schema: DigestPreview } } },
      403: problem('An editor asked for another party’s digest'),
      404: problem('No such party'),
    },
  });
  add('post', '/v1/digest/send', 'Digest', 'admin', 'sendDigest', 'Send a digest now (Idempotency-Key header required)', {
    json: true,
    request: { headers: z.object({ 'idempotency-key': z.string().optional() }), body: { content: { 'application/json': { schema: DigestSendBody } } } },
    responses: { 200: Json(DigestSendResult, 'Replayed: the key was used before with the same body'), 202: Json(DigestSendResult, 'Enqueued'), 409: problem('Key reused with another body, or no recipients') },
  });
  add('get', '/v1/digests', 'Digest', 'bearer', 'listDigests', 'Archive of sent digests', { request: { query: DigestListQuery }, responses: { 200: Json(z.object({ items: z.array(DigestSummary), nextCursor: z.string().nullable() })) } });
  add('get', '/v1/digests/{id}', 'Digest', 'bearer', 'getDigest', 'One archived digest', {
    request: { params: z.object({ id: z.string() }), query: DigestGetQuery },
    responses: {
      200: { description: 'The digest as sent', content: { 'application/json': { schema: ArchivedDigest }, 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() } } },
      404: problem('No such digest'),
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Follow-up API',
      version: '1.0.0',
      description: 'Commitments of a meeting, their deadlines, reminders and digests. Errors are application/problem+json naming every bad field.',
    },
    servers: [{ url: baseUrl }],
    tags: TAGS.map((t) => ({ ...t })),
  });
}
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
