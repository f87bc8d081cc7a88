-- Audit retention is an operator's step, never the application's: export a UTC day, then hand its
-- row count and SHA-256 to audit_log_drop_day, which deletes that day only if they match the rows
-- (see docs/scaling.md). Each entry's export line is defined here once, so the export and the check
-- before the drop cannot disagree about a byte.
CREATE FUNCTION audit_log_line(entry audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', entry.id,
    'at', to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'kind', entry.kind,
    'actor', entry.actor,
    'subject', entry.subject,
    'cycle', entry.cycle_number,
    'data', entry.data)::text
$$;
--> statement-breakpoint
-- The trigger still refuses every UPDATE, and every DELETE but one of the day audit_log_drop_day is
-- dropping (a transaction-local setting only that function sets), so the application's DELETE fails.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('payops.audit_drop_day', true) = to_char(OLD.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
--> statement-breakpoint
-- Deletes one ended UTC day if its rows are exactly the export's: the same count and the SHA-256 of
-- their lines, each followed by a newline, in id order (the file audit:export writes). The rows are
-- deleted and digested by one statement, so an entry that lands in the day meanwhile either matches
-- or fails the check; a mismatch rolls the delete back. SECURITY DEFINER, with EXECUTE revoked from
-- PUBLIC: grant it to the operator's role only, never to the application's.
CREATE FUNCTION audit_log_drop_day(day date, expected_entries bigint, expected_sha256 text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  day_start timestamptz := day::timestamp AT TIME ZONE 'UTC';
  entries bigint;
  digest text;
BEGIN
  IF day_start + interval '1 day' > now() THEN
    RAISE EXCEPTION 'audit day % has not ended (UTC)', day;
  END IF;
  PERFORM set_config('payops.audit_drop_day', to_char(day, 'YYYY-MM-DD'), true);
  WITH gone AS (
    DELETE FROM audit_log WHERE at >= day_start AND at < day_start + interval '1 day' RETURNING *
  )
  SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(audit_log_line(gone::audit_log) || E'\n', '' ORDER BY id), ''), 'UTF8')), 'hex')
    INTO entries, digest FROM gone;
  PERFORM set_config('payops.audit_drop_day', '', true);
  IF entries <> expected_entries OR digest <> lower(expected_sha256) THEN
    RAISE EXCEPTION 'audit day % does not match its export: % entries with sha256 % in the log, % with sha256 % in the export',
      day, entries, digest, expected_entries, expected_sha256;
  END IF;
  INSERT INTO audit_log (kind, actor, subject, data)
    VALUES ('audit.day_dropped', session_user, to_char(day, 'YYYY-MM-DD'), jsonb_build_object('entries', entries, 'sha256', digest));
  RETURN entries;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_log_drop_day(date, bigint, text) FROM PUBLIC;
