package retention

import (
	"time"

	"github.com/attest/auditlog/pkg/sqldb"
	"github.com/attest/auditlog/pkg/tenantfile"
)

// Segment is what one run covers for the default window ("") or one category's: entries in
// [FromNs, CutoffNs) have newly fallen past the window since the run before.
type Segment struct {
	Category string `json:"category,omitempty"`
	Days     int    `json:"days"`
	FromNs   int64  `json:"fromNs"`
	CutoffNs int64  `json:"cutoffNs"`
	Rows     int64  `json:"rows"`
}

// ArchiveFile is an archive written by a run.
type ArchiveFile struct {
	Location string `json:"location"`
	Manifest string `json:"manifest"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Rows     int64  `json:"rows"`
}

// Run statuses.
const (
	RunOK      = "ok"
	RunRefused = "refused"
	RunFailed  = "failed"
)

// Run is one retention run.
type Run struct {
	ID string `json:"id"`
	// Trigger: schedule, catch-up (a night the process was down) or manual.
	Trigger  string       `json:"trigger"`
	At       time.Time    `json:"at"`
	Status   string       `json:"status"`
	Message  string       `json:"message,omitempty"`
	Segments []Segment    `json:"segments"`
	Rows     int64        `json:"rows"`
	Archive  *ArchiveFile `json:"archive,omitempty"`
}

// State is one tenant's stored policy and its runs, newest first.
type State struct {
	Policy    *Policy   `json:"policy,omitempty"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	Runs      []Run     `json:"runs"`
}

// keptRuns bounds the history kept per tenant.
const keptRuns = 60

// Effective is the stored policy, or the default.
func (s State) Effective() Policy {
	if s.Policy != nil {
		return *s.Policy
	}
	return Default()
}

// LastOK is the newest run that covered its segments.
func (s State) LastOK() *Run {
	for i := range s.Runs {
		if s.Runs[i].Status == RunOK {
			return &s.Runs[i]
		}
	}
	return nil
}

// Store keeps State per tenant as files in the backend's data directory.
type Store struct{ files *tenantfile.Store[State] }

// NewStore keeps states in dir (retention-<tenant>.json).
func NewStore(dir string) *Store {
	return &Store{files: &tenantfile.Store[State]{Dir: dir, Prefix: "retention-", Empty: func() State { return State{Runs: []Run{}} }}}
}

// In keeps the states in the shared database instead (an HA install).
func (s *Store) In(db *sqldb.DB) *Store { s.files.DB = db; return s }

// Load reads a tenant's state (empty when none).
func (s *Store) Load(tenant string) (State, error) { return s.files.Load(tenant) }

// Update changes a tenant's state and writes it; the history keeps the newest runs.
func (s *Store) Update(tenant string, fn func(*State) error) (State, error) {
	return s.files.Update(tenant, func(st *State) error {
		if err := fn(st); err != nil {
			return err
		}
		st.Runs = st.Runs[:min(len(st.Runs), keptRuns)]
		return nil
	})
}
