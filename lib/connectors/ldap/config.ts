/** The LDAP connector's settings (checked on the server) and the defaults and attribute rules it reads with. */
import { z } from "zod";

export const DEFAULT_USER_FILTER = "(objectClass=inetOrgPerson)";
export const DEFAULT_GROUP_FILTER = "(|(objectClass=groupOfNames)(objectClass=posixGroup))";
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_PAGE_SIZE = 500;

const filterString = z
  .string()
  .trim()
  .regex(/^\(.*\)$/s, "An LDAP filter is wrapped in parentheses, e.g. (objectClass=person)");

export const ldapConfigSchema = z
  .object({
    url: z
      .string()
      .trim()
      .regex(/^ldaps?:\/\/[^\s/?#]+\/?$/i, "Use ldap://host[:port] or ldaps://host[:port]"),
    bindDn: z.string().trim().min(1, "Bind DN is required"),
    bindPassword: z.string().min(1, "Bind password is required"),
    baseDn: z.string().trim().min(1, "Base DN is required"),
    userBaseDn: z.string().trim().min(1).optional(),
    groupBaseDn: z.string().trim().min(1).optional(),
    userFilter: filterString.optional(),
    groupFilter: filterString.optional(),
    startTls: z.boolean().optional(),
    tlsRejectUnauthorized: z.boolean().optional(),
    tlsCaCert: z
      .string()
      .trim()
      .regex(/-----BEGIN CERTIFICATE-----/, "Paste the CA certificate in PEM form")
      .optional(),
    timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
  })
  .refine((c) => !(c.startTls && /^ldaps:/i.test(c.url)), {
    message: "StartTLS is for ldap:// URLs; ldaps:// is already encrypted",
    path: ["startTls"],
  });
export type LdapConfig = z.infer<typeof ldapConfigSchema>;

/**
 * Never copied into records: password hashes and other credentials the rootDN
 * (or a broad service account) can read, and bulky binary attributes.
 */
export const EXCLUDED_ATTRIBUTES = new Set(
  [
    "userPassword",
    "unicodePwd",
    "sambaNTPassword",
    "sambaLMPassword",
    "userPKCS12",
    "jpegPhoto",
    "thumbnailPhoto",
    "userCertificate",
    "userSMIMECertificate",
  ].map((a) => a.toLowerCase()),
);
/** Member values are emitted as membership records; keeping them on the group would double a large group's size. */
export const MEMBER_ATTRIBUTES = new Set(["member", "uniquemember", "memberuid"]);
/** entryUUID and modifyTimestamp are operational: not returned by "*" unless asked for. */
export const READ_ATTRIBUTES = ["*", "entryUUID", "modifyTimestamp"];
