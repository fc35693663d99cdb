// Package schema holds the closed vocabularies of the audit event (docs in src/services/enums.ts and
// instrumentation/src/schema.ts carry the same lists) and the names Loki gives its attributes.
package schema

import "slices"

// Categories in display order.
var Categories = []string{
	"AUTH", "USER_MGMT", "TENANT_MGMT", "SUBSCRIPTION", "PERMISSION", "DATA_ACCESS", "DATA_MODIFY",
	"INFRASTRUCTURE", "SECURITY", "COMPLIANCE", "API_ACCESS", "FILE_OPS", "AI_USAGE", "SYSTEM",
}

// Severities, most severe first.
var Severities = []string{"CRITICAL", "ERROR", "WARNING", "INFO"}

// SeverityNumbers are the OpenTelemetry severity numbers of each severity text.
var SeverityNumbers = map[string]int{"INFO": 9, "WARNING": 13, "ERROR": 17, "CRITICAL": 21}

var Outcomes = []string{"success", "failure", "denied"}

var ActorTypes = []string{"user", "system", "service", "api_key"}

func IsCategory(s string) bool { return slices.Contains(Categories, s) }
func IsSeverity(s string) bool { return slices.Contains(Severities, s) }
func IsOutcome(s string) bool  { return slices.Contains(Outcomes, s) }

// Loki index labels: the only label names a stream selector is built from.
const (
	LabelService     = "service_name"
	LabelEnvironment = "deployment_environment_name"
	LabelCategory    = "audit_category"
	LabelSeverity    = "severity_text"
)

// Structured metadata names (OTel attribute names with dots turned into underscores).
const (
	MetaID         = "audit_id"
	MetaEvent      = "audit_event"
	MetaAction     = "audit_action"
	MetaOutcome    = "audit_outcome"
	MetaActorType  = "audit_actor_type"
	MetaUserID     = "user_id"
	MetaUserEmail  = "user_email"
	MetaUserName   = "user_name"
	MetaUserRoles  = "user_roles"
	MetaTargetType = "audit_target_type"
	MetaTargetID   = "audit_target_id"
	MetaTargetName = "audit_target_name"
	MetaChanges    = "audit_changes"
	MetaMetadata   = "audit_metadata"
	MetaClientAddr = "client_address"
	MetaUserAgent  = "user_agent_original"
	MetaSessionID  = "session_id"
	MetaRequestID  = "audit_request_id"
	MetaCompliance = "audit_compliance"
	MetaChainID    = "audit_chain_id"
	MetaChainSeq   = "audit_chain_seq"
	MetaChainPrev  = "audit_chain_prev"
	MetaChainHash  = "audit_chain_hash"
	MetaTraceID    = "trace_id"
	MetaSpanID     = "span_id"
)
