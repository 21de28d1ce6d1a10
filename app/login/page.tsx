import { redirect } from "next/navigation";
import { appOrigin, safeRedirectPath } from "@/lib/auth/redirect-target";
import { getSessionUser } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";
import { LoginForm } from "./login-form";

export const metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // Never bounce a user to another origin after sign-in.
  const callbackUrl = safeRedirectPath(params.callbackUrl, appOrigin());
  if (await getSessionUser()) redirect(callbackUrl);
  const config = getConfig();
  const oidcName = config.OIDC_ISSUER ? config.OIDC_NAME : null;
  const error = params.error === "AccessDenied" ? "Your identity is not a member of any tenant here." : undefined;
  const notice = params.joined === "1" ? "Your account is ready. Sign in with your new password." : undefined;
  return (
    <main className="flex min-h-svh items-center justify-center bg-muted/40 px-4">
      <LoginForm callbackUrl={callbackUrl} oidcName={oidcName} initialError={error} notice={notice} />
    </main>
  );
}
