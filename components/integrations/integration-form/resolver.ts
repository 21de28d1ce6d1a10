/**
 * Checks the form in the browser with the server's own schemas: the values
 * are turned into the payload the save action receives and parsed with
 * createIntegrationSchema (or updateIntegrationSchema when editing), plus the
 * row problems a mapping record cannot express. The server checks everything
 * again, connector settings included, and its field errors use the same keys.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { set, type FieldError, type FieldErrors as HookFieldErrors, type Resolver } from "react-hook-form";
import { createIntegrationSchema, updateIntegrationSchema } from "@/lib/integrations/schemas";
import type { ConnectorOption } from "../connector-fields";
import { integrationPayload, mappingProblems, type FieldErrors, type IntegrationFormValues, type StoredIntegration } from "./payload";

/**
 * Errors keyed as the service keys them (`mapping.account`, `config.url`) from
 * react-hook-form's nested errors. A field array's own error sits under
 * `root`; several messages for one field sit in `types`.
 */
const LEAF_KEYS = new Set(["ref", "type", "types", "message"]);

export function flattenErrors(errors: HookFieldErrors | undefined, prefix = ""): FieldErrors {
  const out: FieldErrors = {};
  if (!errors) return out;
  for (const [key, node] of Object.entries(errors)) {
    if (!node || typeof node !== "object" || LEAF_KEYS.has(key)) continue;
    const path = key === "root" ? prefix : prefix ? `${prefix}.${key}` : key;
    const leaf = node as FieldError;
    if (typeof leaf.message === "string" || leaf.types) {
      const messages = leaf.types
        ? Object.values(leaf.types).flatMap((m) => (typeof m === "string" ? [m] : Array.isArray(m) ? m : []))
        : [leaf.message as string];
      (out[path] ??= []).push(...messages);
    }
    for (const [k, v] of Object.entries(flattenErrors(node as HookFieldErrors, path))) (out[k] ??= []).push(...v);
  }
  return out;
}

/** A flat error map as react-hook-form errors; mapping keys go to their field array's `root`. */
function toHookErrors(flat: FieldErrors): HookFieldErrors<IntegrationFormValues> {
  const errors = {};
  for (const [key, messages] of Object.entries(flat)) {
    const mapping = /^mapping\.(\w+)(?:\.(.+))?$/.exec(key);
    const name = mapping ? `mapping.${mapping[1]}.root` : key;
    const shown = mapping?.[2] ? messages.map((m) => `${mapping[2]}: ${m}`) : messages;
    set(errors, name, { type: "validate", message: shown[0], types: Object.fromEntries(shown.map((m, i) => [String(i), m])) });
  }
  return errors;
}

export function integrationResolver(connectors: ConnectorOption[], stored?: StoredIntegration): Resolver<IntegrationFormValues> {
  const check = zodResolver(stored ? updateIntegrationSchema : createIntegrationSchema);
  return async (values, context, options) => {
    const option = connectors.find((c) => c.type === values.connector) ?? connectors[0];
    const parsed = await check(integrationPayload(values, option, stored), context, {
      ...options,
      criteriaMode: "all",
      shouldUseNativeValidation: false,
    } as Parameters<typeof check>[2]);
    const flat = { ...flattenErrors(parsed.errors), ...mappingProblems(values, option) };
    return Object.keys(flat).length === 0 ? { values, errors: {} } : { values: {}, errors: toHookErrors(flat) };
  };
}
