package main

import (
	"context"
	"strings"
	"testing"

	"anken/internal/store"
)

// TestCLIAudit: each command that writes leaves one row in the audit log,
// actor and address "cli"; one that fails or only reads leaves none.
func TestCLIAudit(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"agency", "create", "sakura", "--name", "さくらテック"},
		{"agency", "key", "sakura"},
		{"agency", "webhook-secret", "sakura"},
		{"agency", "list"},
		{"operator", "create", "山田"},
		{"operator", "revoke", "山田"},
		{"inbox", "replay", "--agency", "sakura"},
		{"inbox", "parked"},
		{"mail", "retry", "12345"},
		{"feed", "confirm", "12345"}, // no such run: refused, no row
	} {
		out, err := command(t, dir, args...).CombinedOutput()
		if err != nil && args[0] != "feed" {
			t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		if e.ActorKind != store.AuditCLI || e.Actor != "cli" || e.IP != "cli" {
			t.Errorf("row %+v: want actor and address cli", e)
		}
		got = append(got, e.Action+" "+e.Target)
	}
	want := []string{
		"retry-mail mails [12345]",
		"replay-inbox parked items of sakura",
		"revoke-operator operator 山田",
		"create-operator operator 山田",
		"issue-webhook-secret agency sakura",
		"issue-agency-key agency sakura",
		"issue-agency-key agency sakura",
		"create-agency agency sakura",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log, newest first:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
