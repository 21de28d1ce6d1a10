import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { LoginForm } from "./login-form";

export const metadata = { title: "Sign in" };

function safeCallback(url: string | undefined): string {
  // Only same-site paths: never bounce a user to another origin after sign-in.
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await getSessionUser()) redirect(callbackUrl);
  const oidcName = process.env.OIDC_ISSUER ? (process.env.OIDC_NAME ?? "Single sign-on") : null;
  const error = params.error === "AccessDenied" ? "Your identity is not a member of any tenant here." : undefined;
  return (
    <main className="flex min-h-svh items-center justify-center bg-muted/40 px-4">
      <LoginForm callbackUrl={callbackUrl} oidcName={oidcName} initialError={error} />
    </main>
  );
}
