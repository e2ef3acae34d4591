package api

import (
	"context"
	"errors"
	"fmt"
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
			"or `{\"id\": \"evt_2\", \"type\": \"listing.close\", \"external_id\": \"X-1\"}`. " +
			"Sign it with the secret from `anken agency webhook-secret SLUG`: " +
			"`Anken-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`. " +
			"A signature more than 5 minutes from now is refused, and so is the same signed delivery sent twice. " +
			"The delivery is stored before the 202 answer and applied by a worker within moments; " +
			"a listing that does not validate shows in `GET /v1/agency/rejections`. " +
			"An event id seen before is acknowledged (200, duplicate) and not applied again.",
		Tags:          []string{"agency"},
		Security:      []map[string][]string{{"webhookSignature": {}}},
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
		MaxBodyBytes:  1 << 20,
		// The signature covers the bytes as sent: the body is read raw and
		// checked by ParseEvent after the signature.
		SkipValidateBody: true,
	}, func(ctx context.Context, in *webhookInput) (*webhookOutput, error) {
		st, err := h.needIngest()
		if err != nil {
			return nil, err
		}
		agency, secret, err := st.WebhookSecret(ctx, in.Agency)
		if err != nil {
			return nil, h.storeError(ctx, err, "agency "+in.Agency)
		}
		if secret == "" {
			return nil, h.fail(ctx, fault(problem.Unauthorized, "agency "+in.Agency+" has no webhook secret: an operator issues one with `anken agency webhook-secret "+in.Agency+"`"))
		}
		sig, err := ingest.Verify(in.Signature, secret, in.RawBody, time.Now())
		if err != nil {
			return nil, h.fail(ctx, fault(problem.Unauthorized, err.Error(), problem.Detail{Location: "header.Anken-Signature", Message: err.Error()}))
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
