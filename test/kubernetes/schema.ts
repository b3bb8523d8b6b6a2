import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../cli/run-cli.js';

/**
 * Offline validation of rendered objects against the Kubernetes API schemas, in two parts:
 *
 * - `kubernetes-models`' validators (ajv, generated from the Kubernetes OpenAPI document):
 *   types, formats, enums and required fields. They accept unknown fields, as the OpenAPI
 *   document does not forbid them.
 * - Unknown fields: the same package's TypeScript declarations, generated from the same
 *   document, with every object written as a literal of its kind's type. TypeScript rejects
 *   an excess property at any depth of a literal, so a misspelt or invented field (what
 *   `kubectl apply --validate=strict` refuses) is an error naming its path.
 */

export type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string } } & Record<string, unknown>;

/** `apps/v1` → `kubernetes-models/apps/v1/Deployment`; the core group is `v1`. */
function modelPath(o: K8sObject): string {
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

export async function schemaErrors(o: K8sObject): Promise<string[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelPath(o))) as Record<string, unknown>;
  } catch {
    return [`no schema for ${o.apiVersion} ${o.kind}`];
  }
  const Model = mod[o.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`no model ${o.kind} in ${modelPath(o)}`];
  try {
    new Model(withoutBase64LineBreaks(o)).validate();
    return [];
  } catch (err) {
    return [String((err as Error).message)];
  }
}

/**
 * kubectl wraps long base64 values of Secrets over lines; the API server's decoder skips
 * line breaks (Go's encoding/base64), the validator's `byte` format does not.
 */
function withoutBase64LineBreaks(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret' || !o.data) return o;
  const data = Object.fromEntries(
    Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]),
  );
  return { ...o, data };
}

/** Type-check all objects at once (one program: the declarations load once). */
export function unknownFieldErrors(objects: Array<{ label: string; object: K8sObject }>): string[] {
  const file = path.join(repoRoot, 'test/kubernetes/__rendered_objects__.ts');
  const imports = new Map<string, string>();
  const lines: string[] = [];
  objects.forEach(({ label, object }, i) => {
    const spec = modelPath(object);
    let alias = imports.get(spec);
    if (!alias) {
      alias = `T${imports.size}`;
      imports.set(spec, alias);
    }
    lines.push(`// ${label.replace(/\n/g, ' ')}`, `export const o${i}: ${alias} = ${JSON.stringify(object)};`);
  });
  const source = [
    ...[...imports].map(([spec, alias]) => {
      const kind = spec.slice(spec.lastIndexOf('/') + 1);
      return `import type { I${kind} as ${alias} } from '${spec}';`;
    }),
    ...lines,
  ].join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  // The literal file lives in memory only, resolved as if it sat in test/kubernetes.
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? source : readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const label = where && d.file === program.getSourceFile(file) ? source.split('\n')[where.line - 1] : '';
    return `${label ?? ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`.trim();
  });
}
