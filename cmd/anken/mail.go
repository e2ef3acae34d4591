package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"anken/internal/config"
	"anken/internal/store"
)

// mailCmd lists the mail outbox and makes parked mail pending again.
func mailCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "outbox" && args[0] != "retry") {
		return fmt.Errorf("mail: want outbox [--state pending|sending|sent|parked] [--limit N] or retry ID…")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("mail " + sub)
	state := fs.String("state", "", "only mail in this state: pending, sending, sent or parked (outbox)")
	limit := fs.Int("limit", 50, "most mails to list, newest first (outbox)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch store.MailState(*state) {
	case "", store.MailPending, store.MailSending, store.MailSent, store.MailParked:
	default:
		return fmt.Errorf("mail outbox: --state %q: want pending, sending, sent or parked", *state)
	}
	var ids []int64
	for _, a := range fs.Args() {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 || sub != "retry" {
			return fmt.Errorf("mail %s: %q is not a mail id", sub, a)
		}
		ids = append(ids, id)
	}
	if sub == "retry" && len(ids) == 0 {
		return fmt.Errorf("mail retry: name the parked mails (anken mail outbox --state parked lists them)")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "retry" {
		n, err := st.RequeueMail(cliAudit(ctx, "retry-mail"), ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d of %d mails pending again (only parked mail is); a running `anken serve` with ANKEN_SMTP_URL sends them within moments\n", n, len(ids))
		return nil
	}
	mails, err := st.Mails(ctx, store.MailState(*state), *limit)
	if err != nil {
		return err
	}
	counts, err := st.MailCounts(ctx)
	if err != nil {
		return err
	}
	for _, m := range mails {
		when := m.CreatedAt.Format("2006-01-02 15:04:05")
		if !m.SentAt.IsZero() {
			when = m.SentAt.Format("2006-01-02 15:04:05")
		}
		line := fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", m.ID, m.State, when, m.Kind, m.To, m.Subject)
		if m.Attempts > 0 && m.State != store.MailSent {
			line += fmt.Sprintf("\tattempts %d", m.Attempts)
		}
		if m.LastError != "" && m.State != store.MailSent {
			line += "\t" + strings.ReplaceAll(m.LastError, "\n", " ")
		}
		fmt.Fprintln(stdout, line)
	}
	if len(mails) == 0 {
		fmt.Fprintln(stdout, "no mail")
	}
	fmt.Fprintf(stdout, "outbox: %d pending, %d sending, %d sent, %d parked", counts[store.MailPending], counts[store.MailSending],
		counts[store.MailSent], counts[store.MailParked])
	if cfg.SMTPURL == "" {
		fmt.Fprint(stdout, " (no ANKEN_SMTP_URL: mail waits here)")
	}
	fmt.Fprintln(stdout)
	return nil
}
