package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/selfaudit"
)

// APIError is what every route answers on failure: JSON {error, message} with its status.
type APIError struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *APIError) Error() string { return e.Message }

func badRequest(msg string) *APIError { return &APIError{http.StatusBadRequest, "bad_request", msg} }
func forbidden(msg string) *APIError  { return &APIError{http.StatusForbidden, "forbidden", msg} }
func notFound(msg string) *APIError   { return &APIError{http.StatusNotFound, "not_found", msg} }

// writeJSON answers v; a value that cannot be encoded answers 500 instead of a truncated body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		log.DefaultLogger.Error("answer not encodable as JSON", "error", err.Error())
		status = http.StatusInternalServerError
		body, _ = json.Marshal(&APIError{status, "internal", "internal error; see the Grafana server log"})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// toAPIError maps any error to a client-safe answer; internals go to the backend log only.
func toAPIError(err error) *APIError {
	var api *APIError
	var build *loki.BuildError
	var lokiHTTP *loki.HTTPError
	var unavailable *loki.UnavailableError
	var group *loki.GroupTooLargeError
	var write *selfaudit.WriteError
	if e, ok := alertingError(err); ok {
		return e
	}
	switch {
	case errors.As(err, &api):
		return api
	case errors.As(err, &build):
		return badRequest(build.Msg)
	case errors.As(err, &group):
		return &APIError{http.StatusUnprocessableEntity, "too_many_on_one_timestamp", group.Error()}
	case errors.As(err, &write):
		log.DefaultLogger.Error("self-audit write failed", "error", write.Err.Error())
		return &APIError{http.StatusServiceUnavailable, "audit_unavailable",
			"refused: this action must be recorded in the audit trail, and the Collector did not accept the record"}
	case errors.As(err, &unavailable):
		return &APIError{http.StatusBadGateway, "loki_unavailable", "the audit store (Loki) cannot be reached"}
	case errors.As(err, &lokiHTTP):
		switch {
		case lokiHTTP.Status == http.StatusTooManyRequests:
			return &APIError{http.StatusTooManyRequests, "rate_limited", "the audit store is busy; try again shortly"}
		case lokiHTTP.Status == http.StatusBadRequest:
			return badRequest("the audit store refused the query: " + lokiHTTP.Body)
		}
		log.DefaultLogger.Error("Loki error", "status", lokiHTTP.Status, "body", lokiHTTP.Body)
		return &APIError{http.StatusBadGateway, "loki_error", fmt.Sprintf("the audit store (Loki) answered HTTP %d", lokiHTTP.Status)}
	case errors.Is(err, context.DeadlineExceeded):
		return &APIError{http.StatusGatewayTimeout, "timeout", "the audit store took too long to answer"}
	case errors.Is(err, context.Canceled):
		return &APIError{499, "canceled", "the request was canceled"}
	}
	log.DefaultLogger.Error("internal error", "error", err.Error())
	return &APIError{http.StatusInternalServerError, "internal", "internal error; see the Grafana server log"}
}

func writeError(w http.ResponseWriter, err error) {
	e := toAPIError(err)
	writeJSON(w, e.Status, e)
}
