package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestCLIAudit: each command that writes leaves its rows in the audit
// log, actor and address "cli", each written in the transaction of the
// write it records, with the target and detail the write gives. A command
// that fails or only reads leaves none. On SQLite and PostgreSQL.
func TestCLIAudit(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			testCLIAudit(t, backend)
		})
	}
}

func testCLIAudit(t *testing.T, backend string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := store.Config{DataDir: dir}
	var env []string
	if backend == "postgres" {
		cfg = store.Config{DatabaseURL: storetest.URL(t)}
		env = []string{"ANKEN_DATABASE_URL=" + cfg.DatabaseURL}
	}
	steps := []struct {
		args []string
		ok   bool
		rows []string // "action | target | detail" of each row, oldest first (regular expressions between the bars)
	}{
		{[]string{"agency", "create", "sakura", "--name", "さくらテック"}, true, []string{
			"create-agency | agency sakura | さくらテック",
			"issue-agency-key | agency sakura | key ak_[0-9a-f]{6}",
		}},
		{[]string{"agency", "create", "sakura"}, false, nil}, // the slug is taken
		{[]string{"agency", "key", "sakura"}, true, []string{"issue-agency-key | agency sakura | key ak_[0-9a-f]{6}"}},
		{[]string{"agency", "webhook-secret", "sakura"}, true, []string{"issue-webhook-secret | agency sakura | "}},
		{[]string{"agency", "list"}, true, nil},
		{[]string{"operator", "create", "山田"}, true, []string{"create-operator | operator 山田 | key op_[0-9a-f]{6}"}},
		{[]string{"operator", "revoke", "山田"}, true, []string{"revoke-operator | operator 山田 | "}},
		{[]string{"operator", "revoke", "山田"}, false, nil}, // no live operator of the name
		{[]string{"inbox", "replay", "--agency", "sakura"}, true, []string{"replay-inbox | parked items of sakura | 0 replayed"}},
		{[]string{"inbox", "parked"}, true, nil},
		{[]string{"mail", "retry", "12345"}, true, []string{`retry-mail | mails \[12345\] | 0 pending again`}},
		{[]string{"feed", "confirm", "12345"}, false, nil}, // no such run
	}
	var last int64
	for _, step := range steps {
		name := strings.Join(step.args, " ")
		cmd := command(t, dir, step.args...)
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if (err == nil) != step.ok {
			t.Fatalf("%s: %v: %s", name, err, out)
		}
		st, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		es, err := st.AuditLog(ctx, store.AuditFilter{})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []store.AuditEntry
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].ID > last {
				got = append(got, es[i])
			}
		}
		if len(es) > 0 {
			last = max(last, es[0].ID)
		}
		if len(got) != len(step.rows) {
			t.Errorf("%s: rows %+v; want %d", name, got, len(step.rows))
			continue
		}
		for i, e := range got {
			if e.ActorKind != store.AuditCLI || e.Actor != "cli" || e.IP != "cli" {
				t.Errorf("%s: row %+v; want actor and address cli", name, e)
			}
			line := e.Action + " | " + e.Target + " | " + e.Detail
			if !regexp.MustCompile(`^` + strings.ReplaceAll(step.rows[i], " | ", ` \| `) + `$`).MatchString(line) {
				t.Errorf("%s: row %q; want %s", name, line, step.rows[i])
			}
		}
	}
}
