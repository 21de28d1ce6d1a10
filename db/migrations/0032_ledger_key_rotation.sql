-- Key rotation by statement, and the flag a sealer raises when the stored ledger
-- no longer extends what it signed.
--
-- ledger_register_key now takes the rotation statement and signature
-- (lib/ledger/rotation.ts). The first key of an install needs none; every later
-- key must come with a statement that names the newest registered key as old,
-- this key's id as new, and this key's exact bytes. The function cannot check
-- the Ed25519 signature: Postgres has no Ed25519 (pgcrypto does not do it), and
-- a hand-written verifier in PL/pgSQL would be slow and unreviewed. So the
-- database only keeps the shape honest and the rotations in one line; the
-- signature is checked where it matters, by the sealer before it signs with a
-- key and by every verifier that pinned a key (trustedKeys), so a row written
-- around this function (as the schema owner, triggers off) is simply not trusted.
CREATE TABLE "ledger_integrity_failures" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_bad_seq" bigint,
	"first_bad_checkpoint" bigint,
	"reason" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_keys" ADD COLUMN "rotation_statement" text;--> statement-breakpoint
ALTER TABLE "ledger_keys" ADD COLUMN "rotation_signature" text;--> statement-breakpoint
ALTER TABLE "ledger_integrity_failures" ADD CONSTRAINT "ledger_integrity_failures_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
DROP FUNCTION ledger_register_key(text, text);
--> statement-breakpoint
CREATE FUNCTION ledger_register_key(
  p_key_id text, p_public_key_pem text, p_rotation_statement text DEFAULT NULL, p_rotation_signature text DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  der bytea;
  newest text;
  lines text[];
BEGIN
  IF p_key_id IS NULL OR p_public_key_pem IS NULL THEN
    RAISE EXCEPTION 'ledger_register_key: key id and public key are required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_public_key_pem !~ '^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$' THEN
    RAISE EXCEPTION 'ledger_register_key: expected a PEM public key' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  der := decode(regexp_replace(p_public_key_pem, '-----[A-Z ]+-----|\n', '', 'g'), 'base64');
  -- An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header and the 32-byte key.
  IF length(der) <> 44 OR substring(der FROM 1 FOR 12) <> '\x302a300506032b6570032100'::bytea THEN
    RAISE EXCEPTION 'ledger_register_key: not an Ed25519 public key' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_key_id <> left(encode(sha256(der), 'hex'), 16) THEN
    RAISE EXCEPTION 'ledger_register_key: key id % does not name this key', p_key_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- One registration at a time, so two rotations cannot both name the same newest key.
  LOCK TABLE ledger_keys IN SHARE ROW EXCLUSIVE MODE;
  IF EXISTS (SELECT 1 FROM ledger_keys WHERE key_id = p_key_id) THEN
    RETURN false;
  END IF;
  -- The current key: the newest one registered through this function, i.e. the
  -- first key or one with a statement. A bare row the schema owner slipped in
  -- later is no one's predecessor.
  SELECT key_id INTO newest FROM ledger_keys k
   WHERE k.rotation_statement IS NOT NULL
      OR NOT EXISTS (SELECT 1 FROM ledger_keys o WHERE (o.created_at, o.key_id) < (k.created_at, k.key_id))
   ORDER BY created_at DESC, key_id DESC LIMIT 1;
  IF newest IS NOT NULL THEN
    IF p_rotation_statement IS NULL OR p_rotation_signature IS NULL THEN
      RAISE EXCEPTION 'ledger_register_key: key % needs a rotation statement signed by the current key % (npm run ledger:rotate-key)',
        p_key_id, newest USING ERRCODE = 'insufficient_privilege';
    END IF;
    lines := string_to_array(p_rotation_statement, E'\n');
    IF array_length(lines, 1) <> 6 OR lines[6] <> '' OR lines[1] <> 'syncledger-key-rotation/v1'
       OR lines[5] !~ '^time \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$' THEN
      RAISE EXCEPTION 'ledger_register_key: malformed rotation statement' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lines[2] <> 'old ' || newest THEN
      RAISE EXCEPTION 'ledger_register_key: the rotation statement must name the current key % as old', newest
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF lines[3] <> 'new ' || p_key_id OR lines[4] <> 'new-key ' || encode(der, 'base64') THEN
      RAISE EXCEPTION 'ledger_register_key: the rotation statement is not for key %', p_key_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_rotation_signature !~ '^[A-Za-z0-9+/]+={0,2}$' OR length(decode(p_rotation_signature, 'base64')) <> 64 THEN
      RAISE EXCEPTION 'ledger_register_key: the rotation signature must be 64 bytes in base64' USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  INSERT INTO ledger_keys (key_id, public_key_pem, rotation_statement, rotation_signature)
  VALUES (p_key_id, p_public_key_pem, p_rotation_statement, p_rotation_signature);
  RETURN true;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_register_key(text, text, text, text) FROM PUBLIC;
