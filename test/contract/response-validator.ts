/**
 * Validate real HTTP responses against the OpenAPI document: the status must be
 * documented for the operation, the Content-Type must be one of its media types,
 * and a JSON body must match that media type's schema (JSON Schema 2020-12, as
 * OpenAPI 3.1 uses, with formats). Schemas are compiled from the document itself,
 * so `#/components/schemas/…` references resolve as a client generator would.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;
interface MediaType { schema?: Schema }
interface ResponseObject { content?: Record<string, MediaType>; headers?: Record<string, unknown> }
interface Operation { operationId: string; responses: Record<string, ResponseObject> }
export interface Document { paths: Record<string, Record<string, Operation>>; components?: Record<string, unknown> }

export interface Checked { operationId: string; status: number }

const DOC_ID = 'https://followup.invalid/openapi.json';
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export function createResponseValidator(doc: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(structuredClone(doc) as unknown as Schema, DOC_ID);
  const compiled = new Map<string, ValidateFunction>();
  const checked: Checked[] = [];

  const operation = (method: string, path: string): Operation => {
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`The document has no operation ${method.toUpperCase()} ${path}`);
    return op;
  };

  return {
    /** Every (operationId, status) validated so far. */
    checked,
    operation,
    /**
     * Throw unless `res` is a documented answer of the operation `method path`
     * (path as in the document, e.g. /v1/commitments/{id}).
     */
    check(method: string, path: string, res: { status: number; headers: Record<string, string | string[] | undefined>; body: unknown; text?: string }): void {
      const op = operation(method, path);
      const where = `${method.toUpperCase()} ${path} → ${res.status}`;
      const documented = op.responses[String(res.status)];
      if (!documented) throw new Error(`${where}: status not documented (documented: ${Object.keys(op.responses).join(', ')})\n${res.text ?? JSON.stringify(res.body)}`);
      const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (documented.content) {
        const media = documented.content[contentType];
        if (!media) throw new Error(`${where}: Content-Type ${contentType || '(none)'} not documented (documented: ${Object.keys(documented.content).join(', ')})`);
        if (/json$/.test(contentType) && media.schema) {
          const ref = `${DOC_ID}#/${pointer('paths', path, method.toLowerCase(), 'responses', String(res.status), 'content', contentType, 'schema')}`;
          let validate = compiled.get(ref);
          if (!validate) compiled.set(ref, (validate = ajv.compile({ $ref: ref })));
          if (!validate(res.body)) throw new Error(`${where}: body does not match the documented schema:\n${formatErrors(validate.errors)}\n${JSON.stringify(res.body).slice(0, 2000)}`);
        }
      } else if (res.text && res.status !== 303) {
        throw new Error(`${where}: a body came back, but the document describes none`);
      }
      checked.push({ operationId: op.operationId, status: res.status });
    },
  };
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}
