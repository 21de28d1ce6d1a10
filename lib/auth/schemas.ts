/** Sign-in input, shared by the form and its server action. Client-safe. */
import { z } from "zod";

// Empty fields pass: verifyCredentials answers them with one message for both.
export const signInSchema = z.object({
  email: z.string().max(320, "is too long").default(""),
  password: z.string().max(1000, "is too long").default(""),
  callbackUrl: z.string().optional(),
});
export type SignInInput = z.infer<typeof signInSchema>;
