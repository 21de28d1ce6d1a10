-- Cosignatures are evidence: nobody edits or removes them, the owner included
-- (only by disabling triggers, as for the other ledger tables).
CREATE TRIGGER ledger_cosignatures_no_update_delete
  BEFORE UPDATE OR DELETE ON ledger_cosignatures
  FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_cosignatures_no_truncate
  BEFORE TRUNCATE ON ledger_cosignatures
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
-- The sealer's only write path to ledger_cosignatures and ledger_witness_state
-- (the app role holds SELECT alone on both). The caller has checked the
-- Ed25519 cosignature against the witness's configured key (Postgres cannot);
-- this checks that it is well formed, names that key's witness, and is for a
-- checkpoint the tenant really has. A witness's recorded size never shrinks.
CREATE FUNCTION ledger_record_cosignature(
  p_tenant_id uuid, p_witness_key text, p_witness_url text, p_tree_size bigint, p_timestamp bigint, p_signature text
) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  wname text;
  sig bytea;
BEGIN
  IF p_tenant_id IS NULL OR p_witness_key IS NULL OR p_witness_url IS NULL OR p_tree_size IS NULL
     OR p_timestamp IS NULL OR p_signature IS NULL THEN
    RAISE EXCEPTION 'ledger_record_cosignature: every argument is required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_witness_key !~ '^[^+[:space:]]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$' THEN
    RAISE EXCEPTION 'ledger_record_cosignature: not a witness verifier key' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  wname := split_part(p_witness_key, '+', 1);
  IF left(p_signature, length(wname) + 3) <> (U&'\2014 ' || wname || ' ') OR right(p_signature, 1) <> E'\n' THEN
    RAISE EXCEPTION 'ledger_record_cosignature: the signature line is not by witness %', wname USING ERRCODE = 'invalid_parameter_value';
  END IF;
  sig := decode(rtrim(substring(p_signature FROM length(wname) + 4), E'\n'), 'base64');
  IF length(sig) <> 76 OR substring(sig FROM 1 FOR 4) <> decode(split_part(p_witness_key, '+', 2), 'hex') THEN
    RAISE EXCEPTION 'ledger_record_cosignature: not a cosignature/v1 by this key' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_timestamp < 0 OR substring(sig FROM 5 FOR 8) <> decode(lpad(to_hex(p_timestamp), 16, '0'), 'hex') THEN
    RAISE EXCEPTION 'ledger_record_cosignature: the timestamp does not match the signature line' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ledger_checkpoints WHERE tenant_id = p_tenant_id AND tree_size = p_tree_size) THEN
    RAISE EXCEPTION 'ledger_record_cosignature: the tenant has no checkpoint of tree size %', p_tree_size USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO ledger_cosignatures (tenant_id, tree_size, witness_name, witness_key, timestamp, signature)
  VALUES (p_tenant_id, p_tree_size, wname, p_witness_key, p_timestamp, p_signature)
  ON CONFLICT DO NOTHING;
  INSERT INTO ledger_witness_state AS s (tenant_id, witness_key, witness_url, size, cosigned_at, last_ok_at, last_attempt_at, last_error, failures)
  VALUES (p_tenant_id, p_witness_key, p_witness_url, p_tree_size, p_timestamp, now(), now(), NULL, 0)
  ON CONFLICT (tenant_id, witness_key) DO UPDATE SET
    witness_url = EXCLUDED.witness_url,
    size = greatest(s.size, EXCLUDED.size),
    cosigned_at = CASE WHEN EXCLUDED.size >= s.size THEN greatest(coalesce(s.cosigned_at, 0), EXCLUDED.cosigned_at) ELSE s.cosigned_at END,
    last_ok_at = now(), last_attempt_at = now(), last_error = NULL, failures = 0;
  RETURN true;
END;
$$;
--> statement-breakpoint
-- A failed attempt: the error a person reads on the Ledger page, and one more
-- failure for the back-off. Sizes are untouched.
CREATE FUNCTION ledger_record_witness_error(p_tenant_id uuid, p_witness_key text, p_witness_url text, p_error text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF p_tenant_id IS NULL OR p_witness_key IS NULL OR p_witness_url IS NULL OR p_error IS NULL THEN
    RAISE EXCEPTION 'ledger_record_witness_error: every argument is required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant_id) THEN
    RAISE EXCEPTION 'ledger_record_witness_error: no tenant %', p_tenant_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO ledger_witness_state AS s (tenant_id, witness_key, witness_url, last_attempt_at, last_error, failures)
  VALUES (p_tenant_id, p_witness_key, p_witness_url, now(), left(p_error, 1000), 1)
  ON CONFLICT (tenant_id, witness_key) DO UPDATE SET
    witness_url = EXCLUDED.witness_url, last_attempt_at = now(), last_error = EXCLUDED.last_error, failures = s.failures + 1;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_record_cosignature(uuid, text, text, bigint, bigint, text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_record_witness_error(uuid, text, text, text) FROM PUBLIC;
