/**
 * How a connector's own provisioning settings appear in the provisioning
 * settings form, and how the form's flat text values become the settings
 * object the connector's settingsSchema checks on the server (and back).
 * The server stays the one validator of these; its field errors come back
 * under `settings.<path>`, which `formKeyOf` maps to the field. Client-safe.
 */
import type { ConnectorType } from "@/lib/connectors/types";

export type SettingFieldSpec = {
  /** The form's flat key. */
  key: string;
  /** Where the value sits in the settings object ("disable.attribute"). */
  path: string;
  label: string;
  kind: "text" | "list" | "select";
  placeholder?: string;
  description?: string;
  options?: { value: string; label: string }[];
  /** Shown only when another field has one of these values. */
  when?: { key: string; values: string[] };
};

const LDAP_FIELDS: SettingFieldSpec[] = [
  {
    key: "accountBaseDn",
    path: "accountBaseDn",
    label: "Account base DN",
    kind: "text",
    placeholder: "ou=people,dc=example,dc=com",
    description: "Where new accounts are created. Empty: the integration's user base DN, else its base DN.",
  },
  {
    key: "rdnAttribute",
    path: "rdnAttribute",
    label: "RDN attribute",
    kind: "text",
    placeholder: "uid",
    description: "Names a new entry: uid=jdoe,…",
  },
  {
    key: "objectClasses",
    path: "objectClasses",
    label: "Object classes",
    kind: "list",
    placeholder: "inetOrgPerson",
    description: "Of a new account entry, separated by commas.",
  },
  {
    key: "disableStrategy",
    path: "disable.strategy",
    label: "How an account is disabled",
    kind: "select",
    options: [
      { value: "", label: "Not at all (enable and disable are refused)" },
      { value: "attribute", label: "Set an attribute" },
      { value: "move", label: "Move it to another OU" },
    ],
  },
  {
    key: "disableAttribute",
    path: "disable.attribute",
    label: "Attribute",
    kind: "text",
    placeholder: "employeeType",
    when: { key: "disableStrategy", values: ["attribute"] },
  },
  {
    key: "disabledValue",
    path: "disable.disabledValue",
    label: "Value when disabled",
    kind: "text",
    placeholder: "disabled",
    when: { key: "disableStrategy", values: ["attribute"] },
  },
  {
    key: "enabledValue",
    path: "disable.enabledValue",
    label: "Value when enabled",
    kind: "text",
    description: "Empty: enabling removes the attribute.",
    when: { key: "disableStrategy", values: ["attribute"] },
  },
  {
    key: "disabledBaseDn",
    path: "disable.disabledBaseDn",
    label: "OU of disabled accounts",
    kind: "text",
    placeholder: "ou=disabled,dc=example,dc=com",
    when: { key: "disableStrategy", values: ["move"] },
  },
];

export const PROVISIONING_SETTING_FIELDS: Partial<Record<ConnectorType, SettingFieldSpec[]>> = { ldap: LDAP_FIELDS };

export function settingFieldsFor(connector: string): SettingFieldSpec[] {
  return PROVISIONING_SETTING_FIELDS[connector as ConnectorType] ?? [];
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let at = obj;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys.at(-1)!] = value;
}

/** The stored settings as the form's flat text values. */
export function settingValues(connector: string, settings: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    settingFieldsFor(connector).map((f) => {
      const v = getPath(settings, f.path);
      return [f.key, Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : ""];
    }),
  );
}

/** The form's values as the settings object; empty fields are left out, so the connector's defaults apply. */
export function settingsPayload(connector: string, values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = settingFieldsFor(connector);
  for (const f of fields) {
    const raw = (values[f.key] ?? "").trim();
    if (!raw) continue;
    if (f.when && !f.when.values.includes((values[f.when.key] ?? "").trim())) continue;
    setPath(
      out,
      f.path,
      f.kind === "list"
        ? raw
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : raw,
    );
  }
  return out;
}

/** The form key of a server error under `settings.<path>`; a deeper path falls back to its nearest field. */
export function formKeyOf(connector: string, path: string): string | null {
  const fields = settingFieldsFor(connector);
  const exact = fields.find((f) => f.path === path);
  if (exact) return exact.key;
  const parent = fields.find((f) => path.startsWith(`${f.path}.`));
  if (parent) return parent.key;
  const sibling = fields.find((f) => f.path.split(".")[0] === path.split(".")[0]);
  return sibling?.key ?? null;
}
