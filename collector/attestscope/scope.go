package attestscope

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type scope struct {
	reserved []string
	refused  metric.Int64Counter
}

func newScope(mp metric.MeterProvider, reserved []string) (*scope, error) {
	refused, err := mp.Meter("attestscope").Int64Counter("attest_scope_refused",
		metric.WithDescription("Audit records refused because their producer's credential does not name their service"))
	if err != nil {
		return nil, err
	}
	return &scope{reserved: reserved, refused: refused}, nil
}

// producerOf reads what attest_auth put in the request's auth data: the producer's name and the
// services its credential names (comma-separated; empty: not bound).
func producerOf(ctx context.Context) (name string, services []string, ok bool) {
	auth := client.FromContext(ctx).Auth
	if auth == nil {
		return "", nil, false
	}
	name, _ = auth.GetAttribute("producer").(string)
	list, _ := auth.GetAttribute("services").(string)
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			services = append(services, s)
		}
	}
	return name, services, true
}

func (s *scope) permitted(services []string, service string) bool {
	if len(services) > 0 {
		return slices.Contains(services, service)
	}
	return !slices.Contains(s.reserved, service)
}

// processLogs refuses the whole request when one of its resources names a service the producer
// may not write: nothing of it is taken, and the producer is told which service.
func (s *scope) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	name, services, ok := producerOf(ctx)
	if !ok {
		return ld, status.Error(codes.PermissionDenied, "audit records without an authenticated producer are refused")
	}
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		service := ""
		if v, found := rls.At(i).Resource().Attributes().Get("service.name"); found {
			service = v.AsString()
		}
		if !s.permitted(services, service) {
			n := int64(0)
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				n += int64(sls.At(j).LogRecords().Len())
			}
			s.refused.Add(ctx, n, metric.WithAttributes(attribute.String("producer", name), attribute.String("service", service)))
			// PermissionDenied: the OTLP receiver answers 403, which producers do not retry.
			return ld, status.Error(codes.PermissionDenied, fmt.Sprintf("producer %q may not write records of service %q: its credential names %s",
				name, service, describe(services, s.reserved)))
		}
	}
	return ld, nil
}

func describe(services, reserved []string) string {
	if len(services) > 0 {
		return strings.Join(services, ", ")
	}
	return "any service but " + strings.Join(reserved, ", ")
}
