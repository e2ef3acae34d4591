package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/ingest"
	"anken/internal/problem"
	"anken/internal/store"
)

type webhookInput struct {
	Agency    string `path:"agency" minLength:"1" maxLength:"40" doc:"Your agency's slug."`
	Signature string `header:"Anken-Signature" doc:"t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" under your webhook secret>"`
	RawBody   []byte `contentType:"application/json"`
}

// WebhookBody answers an accepted delivery.
type WebhookBody struct {
	InboxID   int64 `json:"inbox_id" doc:"The stored delivery; its outcome appears in your listings or rejections."`
	Duplicate bool  `json:"duplicate" doc:"An event with this id was received before; it is not applied again."`
}

type webhookOutput struct {
	Status int
	Body   WebhookBody
}

// errWebhookSignature answers a delivery to an unknown agency, to one
// without a webhook secret, and one signed wrongly, alike.
const errWebhookSignature = "signature not valid for this webhook: sign \"<t>.<body>\" with HMAC-SHA256 under the agency's webhook secret"

// replayWindow keeps delivery signatures a little longer than a signature
// stays fresh, so a replay is refused for as long as it could be accepted.
const replayWindow = ingest.Tolerance * 2

func (h *handlers) registerWebhook() {
	h.api.OpenAPI().Components.SecuritySchemes["webhookSignature"] = &huma.SecurityScheme{
		Type: "apiKey", In: "header", Name: ingest.SignatureHeader,
		Description: "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" under the webhook secret " +
			"`anken agency webhook-secret SLUG` printed>. Refused when more than 5 minutes from now, or seen before.",
	}
	huma.Register(h.api, huma.Operation{
		OperationID: "post-webhook",
		Method:      http.MethodPost,
		Path:        "/v1/webhooks/{agency}",
		Summary:     "Deliver a listing event, signed",
		Description: "Send one event per delivery: `{\"id\": \"evt_1\", \"type\": \"listing.upsert\", \"listing\": {…raw listing}}` " +
			"or `{\"id\": \"evt_2\", \"type\": \"listing.close\", \"external_id\": \"X-1\"}`; " +
			"other top-level fields are accepted and ignored. " +
			"Sign it with the secret from `anken agency webhook-secret SLUG`: " +
			"`Anken-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`. " +
			"A signature more than 5 minutes from now is refused (401), and so is the same signed delivery sent twice (409). " +
			"An unknown agency, one without a webhook secret and a wrong signature are all answered 401 alike. " +
			"The delivery is stored before the 202 answer and applied by a worker within moments; " +
			"a listing that does not validate shows in `GET /v1/agency/rejections`. " +
			"An event id seen before is acknowledged (200, duplicate) and not applied again.",
		Tags:          []string{"agency"},
		Security:      []map[string][]string{{"webhookSignature": {}}},
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusRequestEntityTooLarge},
		MaxBodyBytes:  1 << 20,
		// The signature covers the bytes as sent: the body is read raw and
		// checked by ParseEvent after the signature.
		SkipValidateBody: true,
	}, func(ctx context.Context, in *webhookInput) (*webhookOutput, error) {
		st := h.Store
		// An unknown agency, one without a secret and a wrong signature
		// answer alike, so the path tells no stranger which agencies
		// exist; the log keeps the reason. A malformed or stale header is
		// judged before any secret is used, the same for every slug.
		agency, secret, err := st.WebhookSecret(ctx, in.Agency)
		refused := ""
		switch {
		case errors.Is(err, store.ErrNotFound):
			refused, secret = "no agency with this slug", ""
		case err != nil:
			return nil, h.fail(ctx, problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly"))
		case secret == "":
			refused = "the agency has no webhook secret: an operator issues one with `anken agency webhook-secret " + in.Agency + "`"
		}
		sig, err := ingest.Verify(in.Signature, secret, in.RawBody, time.Now())
		if err != nil {
			if refused == "" {
				refused = err.Error()
			}
			h.Log.WarnContext(ctx, "webhook refused", slog.String("agency", in.Agency), slog.String("reason", refused))
			msg := errWebhookSignature
			if errors.Is(err, ingest.ErrSignatureMalformed) || errors.Is(err, ingest.ErrSignatureStale) {
				msg = err.Error() // about the header alone, whatever the slug
			}
			return nil, h.fail(ctx, fault(problem.Unauthorized, msg, problem.Detail{Location: "header." + ingest.SignatureHeader, Message: msg}))
		}
		if err := chargeAgency(ctx, agency.Slug); err != nil {
			return nil, h.fail(ctx, err)
		}
		ev, err := ingest.ParseEvent(in.RawBody)
		if err != nil {
			var ee *ingest.EventError
			if errors.As(err, &ee) {
				return nil, h.fail(ctx, fault(problem.Invalid, "event rejected: "+err.Error(),
					problem.Detail{Location: "body." + ee.Field, Message: ee.Reason}))
			}
			return nil, h.fail(ctx, fault(problem.Invalid, err.Error()))
		}
		// The signature names the agency: its audit row's actor.
		ctx = auditAs(ctx, store.AuditAgency, agency.Slug)
		id, dup, err := st.EnqueueDelivery(ctx, agency, sig,
			store.NewItem{Kind: store.KindWebhook, Payload: in.RawBody, IdempotencyKey: ev.ID}, replayWindow)
		if errors.Is(err, store.ErrReplay) {
			return nil, h.fail(ctx, fault(problem.Conflict, "this signed delivery was received before: sign each delivery anew (a retry of the same event keeps its id)"))
		}
		if err != nil {
			return nil, h.fail(ctx, problem.Wrap(problem.Unavailable, fmt.Errorf("webhook of %s: %w", agency.Slug, err),
				"could not store the delivery; nothing was stored, retry shortly"))
		}
		out := &webhookOutput{Status: http.StatusAccepted, Body: WebhookBody{InboxID: id, Duplicate: dup}}
		if dup {
			out.Status = http.StatusOK
		}
		return out, nil
	})
	// Document the body as the event it must be (RawBody reads it as bytes).
	if p := h.api.OpenAPI().Paths["/v1/webhooks/{agency}"]; p != nil && p.Post != nil {
		p.Post.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/json": {Schema: h.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[ingest.Event](), true, "")},
		}}
	}
}
