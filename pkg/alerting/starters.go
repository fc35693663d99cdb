package alerting

// Starter rules ship disabled: the Alerts page lists them and one click creates the Grafana rule.
var Starters = []Rule{
	{
		Starter: "auth-failures-per-actor", RuleSpec: RuleSpec{Name: "Repeated sign-in failures for one actor",
			Description: "Five or more failed sign-ins by the same actor within 10 minutes: a guessed password or a locked-out user.",
			Kind:        KindCount, Categories: []string{"AUTH"}, Severity: "INFO", Outcome: "failure", PerActor: true,
			Threshold: 5, WindowMinutes: 10},
	},
	{
		Starter: "privilege-to-admin", RuleSpec: RuleSpec{Name: "Privilege change to an admin role",
			Description: "A user or role change whose new state grants an admin role.",
			Kind:        KindCount, Categories: []string{"PERMISSION", "USER_MGMT"}, Severity: "INFO", ChangedTo: "admin",
			Threshold: 1, WindowMinutes: 5},
	},
	{
		Starter: "audit-exported", RuleSpec: RuleSpec{Name: "Audit log exported",
			Description: "Someone exported audit events from the Event viewer.",
			Kind:        KindCount, Categories: []string{"COMPLIANCE"}, Severity: "INFO", EventTypes: []string{"audit.export.requested"},
			Threshold: 1, WindowMinutes: 5},
	},
	{
		Starter: "chain-break", RuleSpec: RuleSpec{Name: "Audit trail integrity break detected",
			Description: "A verification (daily, or run from the Integrity page) found a break: a changed, forged, deleted or cut-off record.",
			Kind:        KindCount, Categories: []string{"COMPLIANCE"}, Severity: "CRITICAL", EventTypes: []string{"audit.integrity.break_detected"},
			Threshold: 1, WindowMinutes: 60},
	},
	{
		Starter: "events-refused-by-store", RuleSpec: RuleSpec{Name: "Audit events refused by the store",
			Description: "Loki refused audit events for good (too old, too large, over a limit): the Collector holds them in its dead-letter queue until Loki takes them. See the Collector's log and the pipeline dashboard.",
			Kind:        KindCount, Categories: []string{"SYSTEM"}, Severity: "ERROR", EventTypes: []string{"audit.delivery.refused"},
			Threshold: 1, WindowMinutes: 15},
	},
	{
		Starter: "service-went-quiet", RuleSpec: RuleSpec{Name: "A service's audit events stopped arriving",
			Description: "A service that sent audit events in the last 24 hours has sent none for 30 minutes.",
			Kind:        KindSilence, Categories: allCategories(), Severity: "INFO", Threshold: 1, WindowMinutes: 30},
	},
}

// StarterByID finds a starter rule (a copy).
func StarterByID(id string) (Rule, bool) {
	for _, s := range Starters {
		if s.Starter == id {
			s.Categories = append([]string{}, s.Categories...)
			s.EventTypes = append([]string{}, s.EventTypes...)
			return s, true
		}
	}
	return Rule{}, false
}
