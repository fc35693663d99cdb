package dailycounts

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Ledger is what the Collectors have passed on, read from their metrics (collector/attestdays):
// records per tenant and UTC day, all records passed, and all the exporters have sent (or given up).
type Ledger struct {
	// Records[tenant]["2006-01-02"] counts the records with a timestamp on that day.
	Records map[string]map[string]int64
	Passed  int64
	Sent    int64
	// DeadLetter[tenant] counts the records Loki refused that wait in the Collectors' dead-letter
	// queues (collector/attestloki) to be replayed.
	DeadLetter map[string]int64
}

// innerExporterSuffix ends the name of the attest_loki exporter's inner otlphttp exporter.
const innerExporterSuffix = "_inner"

// Delivered says whether every record this ledger had passed had left the Collectors by later.
func (l *Ledger) Delivered(later *Ledger) bool { return later.Sent >= l.Passed }

// Of is the count of one tenant's day (0 when none passed).
func (l *Ledger) Of(tenant string, day time.Time) int64 {
	return l.Records[tenant][day.UTC().Format("2006-01-02")]
}

// ReadLedger scrapes each Collector's Prometheus endpoint and sums them.
func ReadLedger(ctx context.Context, hc *http.Client, urls []string) (*Ledger, error) {
	l := &Ledger{Records: map[string]map[string]int64{}, DeadLetter: map[string]int64{}}
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("the Collector's metrics at %s: %w", u, err)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("the Collector's metrics at %s: %w", u, err)
		}
		for name, f := range families {
			switch {
			case name == "attest_records" || name == "attest_records_total":
				for _, m := range f.GetMetric() {
					tenant, day := label(m, "tenant"), label(m, "day")
					if l.Records[tenant] == nil {
						l.Records[tenant] = map[string]int64{}
					}
					l.Records[tenant][day] += int64(value(m))
					l.Passed += int64(value(m))
				}
			case strings.HasPrefix(name, "attest_dead_letter_pending"):
				for _, m := range f.GetMetric() {
					l.DeadLetter[label(m, "tenant")] += int64(value(m))
				}
			case strings.HasPrefix(name, "otelcol_exporter_sent_log_records"), strings.HasPrefix(name, "otelcol_exporter_send_failed_log_records"):
				for _, m := range f.GetMetric() {
					// The attest_loki exporter sends through an inner otlphttp exporter of its own, which
					// counts the same records again (and resends while isolating refused ones).
					if strings.HasSuffix(label(m, "exporter"), innerExporterSuffix) {
						continue
					}
					l.Sent += int64(value(m))
				}
			}
		}
	}
	return l, nil
}

func label(m *dto.Metric, name string) string {
	for _, p := range m.GetLabel() {
		if p.GetName() == name {
			return p.GetValue()
		}
	}
	return ""
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}
