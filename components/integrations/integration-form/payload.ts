/**
 * The integration form's values and how they become the server's input. Pure
 * and client-safe: the form, its resolver and the unit tests use it. Config
 * values sit in the form under their dot paths (`config.files.accounts`), so a
 * field's name is also the key the service reports its errors under.
 */
import { get, set } from "react-hook-form";
import type { ConnectorType, ObjectType } from "@/lib/connectors/types";
import type { CreateIntegrationInput } from "@/lib/integrations/schemas";
import type { NotesDocument } from "@/lib/evidence/notes";
import type { UploadSummary } from "@/components/uploads/upload-file";
import { CONFIG_FIELDS, type ConfigFieldSpec, type ConnectorOption } from "../connector-fields";
import { DEFAULT_MAX_RUN_MINUTES } from "@/lib/syncs/deadline";

export type MappingRow = { source: string; field: string };

export type IntegrationFormValues = {
  name: string;
  connector: ConnectorType;
  /** Nested by the specs' dot paths; text as typed, checkboxes as booleans. */
  config: Record<string, unknown>;
  mapping: Partial<Record<ObjectType, MappingRow[]>>;
  scheduleMinutes: string;
  dropThresholdPercent: string;
  maxRunMinutes: string;
  /** The uploaded logo the form will save (null: none). */
  logoUploadId: string | null;
  evidence: { notes: NotesDocument | null; uploads: UploadSummary[] };
};

/** What is stored, as the service shows it (secrets masked), when editing. */
export type StoredIntegration = {
  connector: ConnectorType;
  config: Record<string, unknown>;
  mapping: Record<string, Record<string, string>>;
  scheduleMinutes: number | null;
  dropThresholdPercent: number;
  maxRunMinutes?: number;
  logoUploadId: string | null;
};

/** Error keys as the service reports them: `name`, `config.url`, `mapping.account`… */
export type FieldErrors = Record<string, string[]>;

export const STEPS = [
  { id: "connection", title: "Connection" },
  { id: "mapping", title: "Mapping" },
  { id: "optional", title: "Optional Configuration" },
] as const;
export const LAST_STEP = STEPS.length - 1;
const OPTIONAL_KEYS = new Set(["scheduleMinutes", "dropThresholdPercent", "maxRunMinutes", "logoUploadId", "logoUrl"]);

/** The step that holds the field an error key names. */
export function stepOf(errorKey: string): number {
  if (errorKey === "mapping" || errorKey.startsWith("mapping.")) return 1;
  if (OPTIONAL_KEYS.has(errorKey) || errorKey.startsWith("evidence")) return 2;
  return 0;
}

function unset(obj: Record<string, unknown>, path: string): void {
  const dot = path.lastIndexOf(".");
  const parent = dot < 0 ? obj : get(obj, path.slice(0, dot));
  if (typeof parent === "object" && parent !== null) delete (parent as Record<string, unknown>)[path.slice(dot + 1)];
}

/** The mapping rows to start from: what is saved, else the connector's defaults. */
export function mappingRows(option: ConnectorOption, saved?: Record<string, Record<string, string>>): IntegrationFormValues["mapping"] {
  const hasSaved = !!saved && Object.keys(saved).length > 0;
  return Object.fromEntries(
    option.objectTypes.map((t) => [
      t,
      Object.entries((hasSaved ? saved[t] : option.defaultMapping[t]) ?? {}).map(([source, field]) => ({ source, field })),
    ]),
  );
}

/** The connector's settings as form values; a secret is never shown, not even masked: blank keeps the stored one. */
export function configValues(option: ConnectorOption, stored: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const spec of CONFIG_FIELDS[option.type]) {
    const v = get(stored, spec.path);
    if (spec.kind === "checkbox") set(values, spec.path, typeof v === "boolean" ? v : (spec.defaultChecked ?? false));
    else if (option.secretFields.includes(spec.path)) set(values, spec.path, "");
    else set(values, spec.path, v === undefined || v === null ? "" : String(v));
  }
  return values;
}

export function initialValues(option: ConnectorOption, stored?: StoredIntegration & { name: string }): IntegrationFormValues {
  return {
    name: stored?.name ?? "",
    connector: option.type,
    config: configValues(option, stored?.config),
    mapping: mappingRows(option, stored?.mapping),
    scheduleMinutes: stored?.scheduleMinutes ? String(stored.scheduleMinutes) : "",
    dropThresholdPercent: String(stored?.dropThresholdPercent ?? 30),
    maxRunMinutes: String(stored?.maxRunMinutes ?? DEFAULT_MAX_RUN_MINUTES),
    logoUploadId: stored?.logoUploadId ?? null,
    evidence: { notes: null, uploads: [] },
  };
}

/** The stored integration when it is of the connector the form shows, else nothing to keep. */
function storedFor(connector: ConnectorType, stored?: StoredIntegration): StoredIntegration | undefined {
  return stored && stored.connector === connector ? stored : undefined;
}

/**
 * Stored secrets by what the form must do with them. A stored secret is only
 * sent to the address it was saved for: once an endpoint setting differs from
 * the stored one, it must be typed again (the service insists too).
 */
export function secretStates(
  values: Pick<IntegrationFormValues, "connector" | "config">,
  option: ConnectorOption,
  stored?: StoredIntegration,
): { stored: Set<string>; retype: Set<string> } {
  const same = storedFor(values.connector, stored);
  if (!same) return { stored: new Set(), retype: new Set() };
  const saved = option.secretFields.filter((f) => {
    const v = get(same.config, f);
    return v !== undefined && v !== null && v !== "";
  });
  const moved = CONFIG_FIELDS[values.connector].some(
    (spec) => spec.endpoint && String(get(values.config, spec.path) ?? "").trim() !== String(get(same.config, spec.path) ?? "").trim(),
  );
  return moved ? { stored: new Set(), retype: new Set(saved) } : { stored: new Set(saved), retype: new Set() };
}

function specValue(spec: ConfigFieldSpec, raw: unknown): unknown {
  if (spec.kind === "checkbox") return raw === true;
  const typed = typeof raw === "string" ? raw : "";
  // Passwords and choices are taken as they are; a space may belong to a password.
  const text = spec.kind === "password" || spec.kind === "select" ? typed : typed.trim();
  if (text === "") return undefined;
  if (spec.kind === "number") return Number.isFinite(Number(text)) ? Number(text) : text;
  return text;
}

/**
 * The connector settings to send. Starts from what is stored so settings the
 * form does not show (timeouts, CSV header mappings…) survive an edit; stored
 * secrets are left out, which tells the service to keep them, unless retyped.
 */
export function configPayload(
  values: Pick<IntegrationFormValues, "connector" | "config">,
  option: ConnectorOption,
  stored?: StoredIntegration,
): Record<string, unknown> {
  const same = storedFor(values.connector, stored);
  const base: Record<string, unknown> = same ? structuredClone(same.config) : {};
  for (const f of option.secretFields) unset(base, f);
  for (const spec of CONFIG_FIELDS[values.connector]) {
    // A group of settings is sent even when all of it is blank (`files: {}`): the connector names what is missing.
    const parent = spec.path.slice(0, Math.max(0, spec.path.lastIndexOf(".")));
    if (parent && typeof get(base, parent) !== "object") set(base, parent, {});
    const value = specValue(spec, get(values.config, spec.path));
    if (value === undefined) unset(base, spec.path);
    else set(base, spec.path, value);
  }
  return base;
}

export function mappingPayload(
  values: Pick<IntegrationFormValues, "mapping">,
  option: ConnectorOption,
): Record<string, Record<string, string>> {
  return Object.fromEntries(
    option.objectTypes.map((t) => [t, Object.fromEntries((values.mapping[t] ?? []).map((r) => [r.source.trim(), r.field]))]),
  );
}

const asNumber = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : s);

/** The whole form as the save action's input (createIntegrationSchema / updateIntegrationSchema). */
export function integrationPayload(
  values: IntegrationFormValues,
  option: ConnectorOption,
  stored?: StoredIntegration,
): CreateIntegrationInput {
  const schedule = values.scheduleMinutes.trim();
  const threshold = values.dropThresholdPercent.trim();
  const maxRun = values.maxRunMinutes.trim();
  const { notes, uploads } = values.evidence;
  return {
    name: values.name.trim(),
    connector: values.connector,
    config: configPayload(values, option, stored),
    mapping: mappingPayload(values, option),
    scheduleMinutes: schedule === "" ? null : asNumber(schedule),
    dropThresholdPercent: threshold === "" ? undefined : asNumber(threshold),
    maxRunMinutes: maxRun === "" ? undefined : asNumber(maxRun),
    // Sent only when it changes: saving the same logo again is no change.
    ...(values.logoUploadId !== (stored?.logoUploadId ?? null) ? { logoUploadId: values.logoUploadId } : {}),
    ...(notes || uploads.length ? { evidence: { notes: notes ?? undefined, uploadIds: uploads.map((u) => u.id) } } : {}),
  };
}

/**
 * What a record of attributes cannot say: an empty row, or one attribute
 * mapped twice (the payload would keep only the last). Keyed `mapping.<type>`.
 */
export function mappingProblems(values: Pick<IntegrationFormValues, "mapping">, option: ConnectorOption): FieldErrors {
  const problems: FieldErrors = {};
  for (const t of option.objectTypes) {
    const seen = new Set<string>();
    const list: string[] = [];
    for (const [i, row] of (values.mapping[t] ?? []).entries()) {
      const source = row.source.trim();
      if (!source) list.push(`Row ${i + 1}: enter a source attribute`);
      else if (seen.has(source.toLowerCase())) list.push(`Row ${i + 1}: “${source}” is mapped twice`);
      seen.add(source.toLowerCase());
    }
    if (list.length > 0) problems[`mapping.${t}`] = list;
  }
  return problems;
}
