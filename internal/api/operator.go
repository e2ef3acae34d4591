package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/problem"
	"anken/internal/store"
)

// OperatorAgency is an agency as operators see it.
type OperatorAgency struct {
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Open      int       `json:"open" doc:"Open listings."`
	Hidden    int       `json:"hidden" doc:"Listings an operator hid."`
	Keys      int       `json:"keys" doc:"Live API keys."`
	Webhook   bool      `json:"webhook" doc:"A webhook signing secret is issued."`
}

// AgencyKey is one of an agency's API keys: its prefix, never the key.
type AgencyKey struct {
	ID        int64      `json:"id"`
	Prefix    string     `json:"prefix" doc:"The key's first characters (ak_1a2b3c), to tell keys apart."`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// AgencyDetail is an agency with its profile and its keys.
type AgencyDetail struct {
	OperatorAgency
	Description string      `json:"description" doc:"The agency's description on its page; set with PUT."`
	SiteURL     string      `json:"site_url" doc:"The agency's site, linked from its page; set with PUT."`
	APIKeys     []AgencyKey `json:"api_keys" doc:"Newest first, revoked ones included."`
}

// IssuedKey answers a key's issue or rotation: the only time the key is
// shown.
type IssuedKey struct {
	Agency  string `json:"agency"`
	Key     string `json:"key" doc:"The new key. anken keeps only its hash: it cannot be shown again."`
	Prefix  string `json:"prefix"`
	Revoked int64  `json:"revoked" doc:"Keys revoked by this request (a rotation revokes every other key at once)."`
}

// InboxItem is a parked inbox item as operators read it.
type InboxItem struct {
	ID         int64     `json:"id"`
	Agency     string    `json:"agency"`
	Kind       string    `json:"kind" enum:"webhook,feed"`
	RunID      int64     `json:"run_id,omitempty" doc:"Feed run of a feed row."`
	Line       int       `json:"line,omitempty" doc:"Line of the row in its feed."`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error" doc:"Why the last attempt failed."`
	ReceivedAt time.Time `json:"received_at"`
	Payload    string    `json:"payload" doc:"What was received (the first 8 KiB)."`
}

// ListingState answers a hide or restore.
type ListingState struct {
	ID      int64  `json:"id"`
	Status  string `json:"status" enum:"open,closed,hidden" doc:"The listing's status now."`
	Outcome string `json:"outcome" enum:"hidden,restored,unchanged"`
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorKind string    `json:"actor_kind" enum:"operator,agency,cli"`
	Actor     string    `json:"actor" doc:"The operator's name, the agency's slug, or cli."`
	Action    string    `json:"action" doc:"The API operation (batch-agency-listings, hide-listing, …), the page's or command's action (ops-login, import-agency-feed, …), poll-agency-feed for a scheduled feed poll, or abort-stale-feed-run for a feed run whose process stopped."`
	Target    string    `json:"target" doc:"What it was done to: a path, an agency, a listing, a feed run."`
	Detail    string    `json:"detail,omitempty"`
	IP        string    `json:"ip" doc:"The client's address; cli for the command line, poll for a scheduled feed poll."`
}

type (
	agenciesOutput struct {
		Body struct {
			Agencies []OperatorAgency `json:"agencies"`
		}
	}
	createAgencyInput struct {
		Body struct {
			Slug string `json:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"1–40 characters of a-z, 0-9 and inner hyphens." example:"sakura-tech"`
			Name string `json:"name,omitempty" maxLength:"200" doc:"Display name; the slug when empty." example:"さくらテック"`
		}
	}
	agencySlugInput struct {
		Slug string `path:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"The agency's slug."`
	}
	agencyKeyInput struct {
		Slug string `path:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"The agency's slug."`
		ID   int64  `path:"id" minimum:"1" doc:"The key's id, from GET /v1/operator/agencies/{slug}."`
	}
	createdAgencyOutput struct {
		Status int
		Body   OperatorAgency
	}
	agencyDetailOutput struct{ Body AgencyDetail }
	issuedKeyOutput    struct {
		Status int
		Body   IssuedKey
	}
	revokedOutput struct {
		Body struct {
			Revoked int64 `json:"revoked" doc:"Keys revoked."`
		}
	}
	webhookSecretOutput struct {
		Body struct {
			Agency string `json:"agency"`
			Secret string `json:"secret" doc:"The new signing secret; any earlier one no longer works."`
		}
	}
	operatorListingInput struct {
		ID int64 `path:"id" minimum:"1" doc:"The listing's id."`
	}
	listingStateOutput struct{ Body ListingState }
	parkedInput        struct {
		Agency string `query:"agency" doc:"Only this agency's items (its slug)."`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}
	parkedOutput struct {
		Body struct {
			Items []InboxItem `json:"items" doc:"Oldest first."`
		}
	}
	replayInput struct {
		Body struct {
			IDs    []int64 `json:"ids,omitempty" maxItems:"1000" doc:"The items to replay."`
			Agency string  `json:"agency,omitempty" doc:"Replay only this agency's items (with ids: only those of them that are this agency's)."`
			All    bool    `json:"all,omitempty" doc:"Replay every parked item; needed when neither ids nor agency is given."`
		}
	}
	replayOutput struct {
		Body struct {
			Replayed int64 `json:"replayed" doc:"Items pending again; the workers take them within moments."`
		}
	}
	operatorRejectionsInput struct {
		Slug   string `path:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"The agency's slug."`
		Run    int64  `query:"run" minimum:"0" doc:"Only this feed run's rejections."`
		Cursor string `query:"cursor" doc:"next_cursor of the previous page."`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}
	auditInput struct {
		Actor  string `query:"actor" doc:"Only this actor's rows: an operator's name, an agency's slug, or cli."`
		Action string `query:"action" doc:"Only this action's rows; a trailing * matches every action starting with the rest (agency-*)."`
		Before int64  `query:"before" minimum:"0" doc:"Only rows older than this id: next_cursor of the previous page."`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}
	auditOutput struct {
		Body struct {
			Entries    []AuditEntry `json:"entries" doc:"Newest first."`
			NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as before for the next page; absent on the last."`
		}
	}
)

// maxPayload is the most of a parked item's payload the API shows.
const maxPayload = 8 << 10

// operatorOps are the operations under /v1/operator, carried out by the
// operator service the pages share (Deps.Operate).
type operatorOps struct {
	*handlers
}

// registerOperator registers the audit log's middleware, so it wraps every
// operation registered after it, and the operators' operations.
func (h *handlers) registerOperator() {
	o := &operatorOps{handlers: h}
	h.api.UseMiddleware(auditWrites)
	doc := h.api.OpenAPI()
	doc.Tags = append(doc.Tags, &huma.Tag{Name: "operator",
		Description: "Running anken: agencies and their keys, hiding listings, parked inbox items, any agency's rejections, the audit log, " +
			"and editing the guides and job-type articles (every revision kept). " +
			"Needs an operator key (`anken operator create NAME`); an agency's key is refused (403). " +
			"Every write here, and every agency write, is recorded in the audit log."})
	if _, ok := doc.Components.SecuritySchemes[operatorKeyScheme]; !ok {
		doc.Components.SecuritySchemes[operatorKeyScheme] = &huma.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "op_…",
			Description: "The key `anken operator create NAME` printed once for an operator. An agency's key is refused (403)."}
	}
	reg := func(op huma.Operation) huma.Operation {
		op.Tags = []string{"operator"}
		op.Security = []map[string][]string{{operatorKeyScheme: {}}}
		op.Middlewares = huma.Middlewares{o.authenticateOperator}
		op.Errors = append([]int{http.StatusUnauthorized, http.StatusForbidden}, op.Errors...)
		return op
	}
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "list-agencies", Method: http.MethodGet, Path: "/v1/operator/agencies",
		Summary:     "List agencies",
		Description: "Every agency with its open and hidden listings, live keys and whether it has a webhook secret.",
	}), o.listAgencies)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "create-agency", Method: http.MethodPost, Path: "/v1/operator/agencies",
		Summary:       "Create an agency",
		Description:   "Adds an agency without a key: issue one with POST /v1/operator/agencies/{slug}/keys. A slug taken is 409.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusConflict, http.StatusUnprocessableEntity},
		MaxBodyBytes:  16 << 10,
	}), o.createAgency)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "get-agency", Method: http.MethodGet, Path: "/v1/operator/agencies/{slug}",
		Summary: "Read an agency with its profile and keys",
		Errors:  []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.getAgency)
	huma.Register(h.api, reg(operatorProfileOperation), o.putOperatorProfile)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "issue-agency-key", Method: http.MethodPost, Path: "/v1/operator/agencies/{slug}/keys",
		Summary: "Issue an API key",
		Description: "Adds a key; the agency's other keys keep working. The key is in the answer and never again. " +
			"For a switch without a gap, issue a key, let the agency move to it, then revoke the old one by its id.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.issueKey)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "rotate-agency-keys", Method: http.MethodPost, Path: "/v1/operator/agencies/{slug}/keys/rotate",
		Summary: "Rotate the API keys",
		Description: "Issues a new key and revokes every other key of the agency at once, in one transaction: from the answer on, " +
			"only the new key works (for a leaked key). The key is in the answer and never again.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.rotateKeys)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "revoke-agency-keys", Method: http.MethodDelete, Path: "/v1/operator/agencies/{slug}/keys",
		Summary:     "Revoke every API key of an agency",
		Description: "The agency can no longer write through the API until a key is issued. Its listings stay as they are.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.revokeKeys)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "revoke-agency-key", Method: http.MethodDelete, Path: "/v1/operator/agencies/{slug}/keys/{id}",
		Summary: "Revoke one API key",
		Errors:  []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.revokeKey)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "issue-webhook-secret", Method: http.MethodPost, Path: "/v1/operator/agencies/{slug}/webhook-secret",
		Summary:     "Issue a webhook signing secret",
		Description: "A new secret for signing deliveries to POST /v1/webhooks/{slug}; any earlier secret stops working at once.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.webhookSecret)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "list-agency-rejections-operator", Method: http.MethodGet, Path: "/v1/operator/agencies/{slug}/rejections",
		Summary:     "Read an agency's rejections",
		Description: "What the agency reads at GET /v1/agency/rejections, for any agency: oldest first, paged by next_cursor.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.rejections)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "get-listing-operator", Method: http.MethodGet, Path: "/v1/operator/listings/{id}",
		Summary:     "Read any listing",
		Description: "The listing whatever its status, hidden included (its status says hidden).",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.getListing)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "hide-listing", Method: http.MethodPost, Path: "/v1/operator/listings/{id}/hide",
		Summary: "Hide a listing",
		Description: "Takes the listing out of search on every node (through the change log) and answers its page and " +
			"GET /v1/listings/{id} with 404. Its agency still reads it (status hidden) and may update or close it; " +
			"it stays hidden until restored. Hiding a hidden listing is unchanged.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.hide)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "restore-listing", Method: http.MethodPost, Path: "/v1/operator/listings/{id}/restore",
		Summary:     "Restore a hidden listing",
		Description: "The listing takes back the status its agency last gave it: open (searchable again) or closed.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), o.restore)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "list-parked-items", Method: http.MethodGet, Path: "/v1/operator/inbox/parked",
		Summary:     "List parked inbox items",
		Description: "Webhook deliveries and feed rows that kept failing and were set aside, with the error of their last attempt.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}), o.parked)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "replay-inbox", Method: http.MethodPost, Path: "/v1/operator/inbox/replay",
		Summary:      "Replay parked inbox items",
		Description:  "Makes parked items pending again with fresh attempts: those of ids, of agency, or, with all, every one.",
		Errors:       []int{http.StatusUnprocessableEntity},
		MaxBodyBytes: 64 << 10,
	}), o.replay)
	huma.Register(h.api, reg(huma.Operation{
		OperationID: "list-audit-log", Method: http.MethodGet, Path: "/v1/operator/audit",
		Summary: "Read the audit log",
		Description: "Every write of an operator (here, the guides, the pages) and of an agency (API writes, accepted webhook deliveries, " +
			"feed uploads, registrations and confirmations, scheduled feed polls), and the command line's (actor cli, imports included): " +
			"who, what, when, from where. Each row is written in the transaction of the write it records: a write that fails leaves none. " +
			"One row per request: a batch of 1,000 listings is one row. Newest first; rows are never changed or removed.",
		Errors: []int{http.StatusUnprocessableEntity},
	}), o.audit)
}

func (o *operatorOps) agency(ctx context.Context, slug string) (store.Agency, error) {
	a, err := o.Operate.Agency(ctx, slug)
	if err != nil {
		return store.Agency{}, o.storeError(ctx, err, "agency "+slug)
	}
	return a, nil
}

func (o *operatorOps) listAgencies(ctx context.Context, _ *struct{}) (*agenciesOutput, error) {
	all, err := o.Operate.Agencies(ctx)
	if err != nil {
		return nil, o.storeError(ctx, err, "agencies")
	}
	out := &agenciesOutput{}
	out.Body.Agencies = make([]OperatorAgency, len(all))
	for i, a := range all {
		out.Body.Agencies[i] = operatorAgencyOf(a)
	}
	return out, nil
}

func operatorAgencyOf(a store.AgencySummary) OperatorAgency {
	return OperatorAgency{Slug: a.Slug, Name: a.Name, CreatedAt: a.CreatedAt, Open: a.Open, Hidden: a.Hidden, Keys: a.Keys, Webhook: a.Webhook}
}

func (o *operatorOps) createAgency(ctx context.Context, in *createAgencyInput) (*createdAgencyOutput, error) {
	a, err := o.Operate.CreateAgency(ctx, in.Body.Slug, in.Body.Name)
	if errors.Is(err, store.ErrConflict) {
		return nil, o.fail(ctx, problem.Field(problem.Conflict, "body.slug", in.Body.Slug, "an agency has this slug"))
	}
	if err != nil {
		return nil, o.storeError(ctx, err, "agency")
	}
	return &createdAgencyOutput{Status: http.StatusCreated, Body: OperatorAgency{Slug: a.Slug, Name: a.Name, CreatedAt: a.CreatedAt}}, nil
}

func (o *operatorOps) getAgency(ctx context.Context, in *agencySlugInput) (*agencyDetailOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	all, err := o.Operate.Agencies(ctx)
	if err != nil {
		return nil, o.storeError(ctx, err, "agencies")
	}
	out := &agencyDetailOutput{}
	for _, s := range all {
		if s.ID == a.ID {
			out.Body.OperatorAgency = operatorAgencyOf(s)
		}
	}
	p, err := o.Operate.AgencyProfile(ctx, a.Slug)
	if err != nil {
		return nil, o.storeError(ctx, err, "agency "+a.Slug)
	}
	out.Body.Description, out.Body.SiteURL = p.Description, p.SiteURL
	keys, err := o.Operate.Keys(ctx, a)
	if err != nil {
		return nil, o.storeError(ctx, err, "keys")
	}
	out.Body.APIKeys = make([]AgencyKey, len(keys))
	for i, k := range keys {
		out.Body.APIKeys[i] = AgencyKey{ID: k.ID, Prefix: k.Prefix, CreatedAt: k.CreatedAt}
		if !k.RevokedAt.IsZero() {
			out.Body.APIKeys[i].RevokedAt = &k.RevokedAt
		}
	}
	return out, nil
}

func (o *operatorOps) issueKey(ctx context.Context, in *agencySlugInput) (*issuedKeyOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	key, err := o.Operate.IssueKey(ctx, a)
	if err != nil {
		return nil, o.storeError(ctx, err, "key")
	}
	return &issuedKeyOutput{Status: http.StatusCreated, Body: IssuedKey{Agency: a.Slug, Key: key, Prefix: keyPrefixOf(key)}}, nil
}

func (o *operatorOps) rotateKeys(ctx context.Context, in *agencySlugInput) (*issuedKeyOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	key, n, err := o.Operate.RotateKeys(ctx, a)
	if err != nil {
		return nil, o.storeError(ctx, err, "key")
	}
	return &issuedKeyOutput{Status: http.StatusOK, Body: IssuedKey{Agency: a.Slug, Key: key, Prefix: keyPrefixOf(key), Revoked: n}}, nil
}

// keyPrefixOf is what the store keeps of a key to tell it apart.
func keyPrefixOf(key string) string { return key[:min(len(key), 9)] }

func (o *operatorOps) revokeKeys(ctx context.Context, in *agencySlugInput) (*revokedOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	n, err := o.Operate.RevokeKeys(ctx, a)
	if err != nil {
		return nil, o.storeError(ctx, err, "keys")
	}
	out := &revokedOutput{}
	out.Body.Revoked = n
	return out, nil
}

func (o *operatorOps) revokeKey(ctx context.Context, in *agencyKeyInput) (*revokedOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	if err := o.Operate.RevokeKey(ctx, a, in.ID); err != nil {
		return nil, o.storeError(ctx, err, fmt.Sprintf("live key %d of agency %s", in.ID, a.Slug))
	}
	out := &revokedOutput{}
	out.Body.Revoked = 1
	return out, nil
}

func (o *operatorOps) webhookSecret(ctx context.Context, in *agencySlugInput) (*webhookSecretOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	secret, err := o.Operate.NewWebhookSecret(ctx, a)
	if err != nil {
		return nil, o.storeError(ctx, err, "agency "+a.Slug)
	}
	out := &webhookSecretOutput{}
	out.Body.Agency, out.Body.Secret = a.Slug, secret
	return out, nil
}

func (o *operatorOps) rejections(ctx context.Context, in *operatorRejectionsInput) (*rejectionsOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	var after int64
	if in.Cursor != "" {
		n, err := strconv.ParseInt(in.Cursor, 10, 64)
		if err != nil || n < 0 {
			return nil, o.fail(ctx, problem.Field(problem.Unprocessable, "query.cursor", in.Cursor, "use next_cursor from the previous page"))
		}
		after = n
	}
	rs, err := o.Operate.Rejections(ctx, a, store.RejectionFilter{After: after, RunID: in.Run, Limit: in.Limit})
	if err != nil {
		return nil, o.storeError(ctx, err, "rejections")
	}
	out := &rejectionsOutput{Body: RejectionsBody{Rejections: make([]Rejection, len(rs))}}
	for i, r := range rs {
		out.Body.Rejections[i] = rejectionOf(r)
	}
	if len(rs) == in.Limit {
		out.Body.NextCursor = strconv.FormatInt(rs[len(rs)-1].ID, 10)
	}
	return out, nil
}

func (o *operatorOps) getListing(ctx context.Context, in *operatorListingInput) (*listingOutput, error) {
	l, err := o.Operate.Listing(ctx, in.ID)
	if err != nil {
		return nil, o.storeError(ctx, err, fmt.Sprintf("listing %d", in.ID))
	}
	return &listingOutput{Body: &l}, nil
}

func (o *operatorOps) hide(ctx context.Context, in *operatorListingInput) (*listingStateOutput, error) {
	return o.setHidden(ctx, in.ID, true)
}

func (o *operatorOps) restore(ctx context.Context, in *operatorListingInput) (*listingStateOutput, error) {
	return o.setHidden(ctx, in.ID, false)
}

func (o *operatorOps) setHidden(ctx context.Context, id int64, hide bool) (*listingStateOutput, error) {
	do := o.Operate.Restore
	if hide {
		do = o.Operate.Hide
	}
	res, err := do(ctx, id)
	if err != nil {
		return nil, o.storeError(ctx, err, fmt.Sprintf("listing %d", id))
	}
	l, err := o.Operate.Listing(ctx, id)
	if err != nil {
		return nil, o.storeError(ctx, err, fmt.Sprintf("listing %d", id))
	}
	return &listingStateOutput{Body: ListingState{ID: id, Status: string(l.Status), Outcome: string(res.Outcome)}}, nil
}

func (o *operatorOps) parked(ctx context.Context, in *parkedInput) (*parkedOutput, error) {
	items, err := o.Operate.Parked(ctx, in.Agency, in.Limit)
	if err != nil {
		return nil, o.storeError(ctx, err, "parked items")
	}
	out := &parkedOutput{}
	out.Body.Items = make([]InboxItem, len(items))
	for i, it := range items {
		out.Body.Items[i] = InboxItem{ID: it.ID, Agency: it.Agency.Slug, Kind: it.Kind, RunID: it.RunID, Line: it.Line,
			Attempts: it.Attempts, LastError: it.LastError, ReceivedAt: it.ReceivedAt.UTC(), Payload: clipPayload(it.Payload)}
	}
	return out, nil
}

// clipPayload is up to maxPayload bytes of p, cut on a character boundary.
func clipPayload(p []byte) string {
	if len(p) <= maxPayload {
		return string(p)
	}
	n := maxPayload
	for n > 0 && !utf8.RuneStart(p[n]) {
		n--
	}
	return string(p[:n]) + "…"
}

func (o *operatorOps) replay(ctx context.Context, in *replayInput) (*replayOutput, error) {
	b := in.Body
	if len(b.IDs) == 0 && b.Agency == "" && !b.All {
		return nil, o.fail(ctx, problem.Field(problem.Unprocessable, "body", "", "name the items (ids), an agency, or set all to replay every parked item"))
	}
	n, err := o.Operate.Replay(ctx, b.Agency, b.IDs)
	if err != nil {
		return nil, o.storeError(ctx, err, "inbox")
	}
	out := &replayOutput{}
	out.Body.Replayed = n
	return out, nil
}

func (o *operatorOps) audit(ctx context.Context, in *auditInput) (*auditOutput, error) {
	es, err := o.Operate.AuditLog(ctx, store.AuditFilter{Actor: in.Actor, Action: in.Action, Before: in.Before, Limit: in.Limit})
	if err != nil {
		return nil, o.storeError(ctx, err, "audit log")
	}
	out := &auditOutput{}
	out.Body.Entries = make([]AuditEntry, len(es))
	for i, e := range es {
		out.Body.Entries[i] = AuditEntry{ID: e.ID, At: e.At, ActorKind: e.ActorKind, Actor: e.Actor, Action: e.Action,
			Target: e.Target, Detail: e.Detail, IP: e.IP}
	}
	if len(es) == in.Limit {
		out.Body.NextCursor = strconv.FormatInt(es[len(es)-1].ID, 10)
	}
	return out, nil
}
