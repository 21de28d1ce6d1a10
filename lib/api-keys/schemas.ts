/** API key inputs. Client-safe. */
import { z } from "zod";
import { API_KEY_SCOPES, type Permission } from "@/lib/auth/permissions";

const scopeSchema = z.enum(API_KEY_SCOPES as [Permission, ...Permission[]], {
  message: `must be one of: ${API_KEY_SCOPES.join(", ")}`,
});

export const createApiKeySchema = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(80, "must be at most 80 characters"),
  scopes: z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(scopeSchema).min(1, "choose at least one scope"),
  ),
  expiresAt: z.preprocess(
    (v) => (v === "" || v == null ? undefined : v),
    z.coerce
      .date({ message: "is not a valid date" })
      .refine((d) => d.getTime() > Date.now(), "must be in the future")
      .optional(),
  ),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const apiKeyIdSchema = z.object({ id: z.uuid("is not a valid API key id") });
