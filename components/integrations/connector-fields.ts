/**
 * How each connector's settings appear in the integration form. The
 * connector's own zod configSchema (server side) stays the one validator; this
 * only says label, input kind and help per setting. Paths are dot paths into
 * the config object ("files.accounts"), the same paths the service reports
 * field errors under (`config.<path>`). Client-safe.
 */
import type { ConnectorType, ObjectType } from "@/lib/connectors/types";

export type ConfigFieldSpec = {
  path: string;
  label: string;
  kind: "text" | "password" | "number" | "checkbox" | "textarea" | "select" | "file";
  required?: boolean;
  placeholder?: string;
  description?: string;
  options?: { value: string; label: string }[];
  /** For checkboxes: the value the connector assumes when the setting is absent. */
  defaultChecked?: boolean;
  /** Wide fields span both columns of the grid. */
  wide?: boolean;
  /** Where the connector connects: changing it means stored secrets must be typed again (the service insists). */
  endpoint?: boolean;
};

/** What the server tells the form about each connector (from lib/connectors/registry). */
export type ConnectorOption = {
  type: ConnectorType;
  label: string;
  secretFields: string[];
  objectTypes: ObjectType[];
  delta: boolean;
  defaultMapping: Partial<Record<ObjectType, Record<string, string>>>;
};

export const CONFIG_FIELDS: Record<ConnectorType, ConfigFieldSpec[]> = {
  ldap: [
    {
      path: "url",
      label: "Server URL",
      kind: "text",
      required: true,
      placeholder: "ldaps://ldap.example.com:636",
      wide: true,
      endpoint: true,
    },
    { path: "bindDn", label: "Bind DN", kind: "text", required: true, placeholder: "cn=syncledger,ou=services,dc=example,dc=com" },
    { path: "bindPassword", label: "Bind password", kind: "password", required: true },
    { path: "baseDn", label: "Base DN", kind: "text", required: true, placeholder: "dc=example,dc=com", wide: true },
    {
      path: "userBaseDn",
      label: "User base DN",
      kind: "text",
      placeholder: "ou=people,dc=example,dc=com",
      description: "Defaults to the base DN.",
    },
    {
      path: "groupBaseDn",
      label: "Group base DN",
      kind: "text",
      placeholder: "ou=groups,dc=example,dc=com",
      description: "Defaults to the base DN.",
    },
    { path: "userFilter", label: "User filter", kind: "text", placeholder: "(objectClass=inetOrgPerson)" },
    { path: "groupFilter", label: "Group filter", kind: "text", placeholder: "(|(objectClass=groupOfNames)(objectClass=posixGroup))" },
    {
      path: "startTls",
      label: "Use StartTLS",
      kind: "checkbox",
      defaultChecked: false,
      description: "Upgrade an ldap:// connection to TLS. Not for ldaps:// URLs.",
    },
    {
      path: "tlsRejectUnauthorized",
      label: "Verify the server certificate",
      kind: "checkbox",
      defaultChecked: true,
      description: "Turn off only for a test directory with a self-signed certificate.",
    },
    {
      path: "tlsCaCert",
      label: "CA certificate (optional)",
      kind: "textarea",
      placeholder: "-----BEGIN CERTIFICATE-----",
      description: "PEM of the CA that signed the directory's certificate, when it is not publicly trusted.",
      wide: true,
    },
  ],
  scim: [
    {
      path: "baseUrl",
      label: "SCIM base URL",
      kind: "text",
      required: true,
      placeholder: "https://example.com/scim/v2",
      wide: true,
      endpoint: true,
    },
    { path: "bearerToken", label: "Bearer token", kind: "password", required: true },
    { path: "pageSize", label: "Page size", kind: "number", placeholder: "100", description: "Resources per request (1–1000)." },
  ],
  csv: [
    { path: "files.accounts", label: "Accounts file", kind: "file", description: "One row per account; needs an externalId column." },
    { path: "files.groups", label: "Groups file", kind: "file", description: "One row per group; needs an externalId column." },
    {
      path: "files.entitlements",
      label: "Entitlements file",
      kind: "file",
      description: "One row per entitlement; needs an externalId column.",
    },
    {
      path: "files.memberships",
      label: "Memberships file",
      kind: "file",
      description: "One row per member of a group: groupExternalId and memberExternalId columns.",
    },
    {
      path: "delimiter",
      label: "Delimiter",
      kind: "select",
      options: [
        { value: "", label: "Comma ( , ) — default" },
        { value: ";", label: "Semicolon ( ; )" },
        { value: "\t", label: "Tab" },
        { value: "|", label: "Pipe ( | )" },
      ],
    },
  ],
};

/** A note shown above a connector's settings. */
export const CONNECTOR_NOTES: Partial<Record<ConnectorType, string>> = {
  csv: "Upload at least one CSV file (UTF-8, first line the header row). Column headers are taken as attribute names; map them to canonical fields in the next step.",
};

export { OBJECT_TYPE_LABELS } from "@/lib/domain/enums";
