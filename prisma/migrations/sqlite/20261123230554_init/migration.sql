-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "auditSeq" INTEGER NOT NULL DEFAULT 0,
    "auditHash" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "emailVerified" DATETIME,
    "image" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSignInAt" DATETIME
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" DATETIME,
    CONSTRAINT "Membership_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "leadId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Team_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Team_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TeamMember" (
    "teamId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    PRIMARY KEY ("teamId", "userId"),
    CONSTRAINT "TeamMember_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "TeamMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Source" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "secretRef" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "syncSchedule" TEXT,
    "lastSyncAt" DATETIME,
    "lastSyncStatus" TEXT,
    "lastSyncError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Source_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Identity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'unknown',
    "status" TEXT NOT NULL DEFAULT 'active',
    "description" TEXT,
    "createdAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME,
    "discoveredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "ownerId" TEXT,
    "backupOwnerId" TEXT,
    "teamId" TEXT,
    "ownerOrigin" TEXT,
    "ownerAssignedAt" DATETIME,
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "grantCount" INTEGER NOT NULL DEFAULT 0,
    "credentialCount" INTEGER NOT NULL DEFAULT 0,
    "oldestSecretAt" DATETIME,
    "riskScore" INTEGER NOT NULL DEFAULT 0,
    "openFindings" INTEGER NOT NULL DEFAULT 0,
    "lastAttestedAt" DATETIME,
    "attestationDue" DATETIME,
    CONSTRAINT "Identity_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Identity_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Identity_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Identity_backupOwnerId_fkey" FOREIGN KEY ("backupOwnerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Identity_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "IdentityTag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    CONSTRAINT "IdentityTag_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "IdentityTag_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Credential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "externalId" TEXT,
    "kind" TEXT NOT NULL,
    "label" TEXT,
    "fingerprint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "lastRotatedAt" DATETIME,
    "expiresAt" DATETIME,
    "lastUsedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'active',
    "rotatedById" TEXT,
    CONSTRAINT "Credential_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Credential_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Resource" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'unknown',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Resource_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Resource_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Entitlement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "resourceId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Entitlement_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Entitlement_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Entitlement_resourceId_fkey" FOREIGN KEY ("resourceId") REFERENCES "Resource" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Grant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "entitlementId" TEXT NOT NULL,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'active',
    "revokedAt" DATETIME,
    CONSTRAINT "Grant_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Grant_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Grant_entitlementId_fkey" FOREIGN KEY ("entitlementId") REFERENCES "Entitlement" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ActivityEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "sourceIp" TEXT,
    "userAgent" TEXT,
    "detail" TEXT,
    CONSTRAINT "ActivityEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ActivityEvent_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "owaspCode" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "detail" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" DATETIME,
    "acceptedUntil" DATETIME,
    "acceptedReason" TEXT,
    "acceptedById" TEXT,
    CONSTRAINT "Finding_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Finding_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'draft',
    "fallbackReviewerId" TEXT,
    "secondStage" TEXT NOT NULL DEFAULT 'none',
    "startAt" DATETIME,
    "dueAt" DATETIME,
    "reminders" TEXT NOT NULL DEFAULT '[]',
    "defaultDecision" TEXT NOT NULL DEFAULT 'open',
    "justificationRule" TEXT NOT NULL DEFAULT 'revoke',
    "autoRemediate" BOOLEAN NOT NULL DEFAULT false,
    "recurrence" TEXT NOT NULL DEFAULT 'none',
    "previousId" TEXT,
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "decidedCount" INTEGER NOT NULL DEFAULT 0,
    "launchedAt" DATETIME,
    "closedAt" DATETIME,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Campaign_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReviewItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "grantId" TEXT,
    "credentialId" TEXT,
    "reviewerId" TEXT,
    "stage" INTEGER NOT NULL DEFAULT 1,
    "snapshot" TEXT NOT NULL,
    "recommendation" TEXT,
    "recommendationReason" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decision" TEXT,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "justification" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "remediationStatus" TEXT NOT NULL DEFAULT 'none',
    "remediationError" TEXT,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReviewItem_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReviewItem_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReviewItem_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Decision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "reviewItemId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "decidedById" TEXT,
    "justification" TEXT,
    "bulk" BOOLEAN NOT NULL DEFAULT false,
    "stage" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Decision_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Decision_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Decision_reviewItemId_fkey" FOREIGN KEY ("reviewItemId") REFERENCES "ReviewItem" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "payload" TEXT NOT NULL DEFAULT '{}',
    "result" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 5,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" DATETIME,
    "lockedBy" TEXT,
    "lastError" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "Job_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "targetLabel" TEXT,
    "outcome" TEXT NOT NULL,
    "justification" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}',
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "AuditEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL DEFAULT '[]',
    "expiresAt" DATETIME,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    "createdById" TEXT,
    "identityId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApiToken_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MetricSnapshot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "metrics" TEXT NOT NULL,
    "takenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MetricSnapshot_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT,
    "link" TEXT,
    "readAt" DATETIME,
    "emailedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Notification_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OwnershipTransfer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "fromUserId" TEXT,
    "toUserId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" DATETIME,
    CONSTRAINT "OwnershipTransfer_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OwnershipTransfer_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Attestation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextDueAt" DATETIME NOT NULL,
    CONSTRAINT "Attestation_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Attestation_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Account_userId_idx" ON "Account"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_orgId_userId_key" ON "Membership"("orgId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Team_orgId_slug_key" ON "Team"("orgId", "slug");

-- CreateIndex
CREATE INDEX "TeamMember_userId_idx" ON "TeamMember"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Source_orgId_name_key" ON "Source"("orgId", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_name_id_idx" ON "Identity"("orgId", "name", "id");

-- CreateIndex
CREATE INDEX "Identity_orgId_kind_name_idx" ON "Identity"("orgId", "kind", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_sourceId_name_idx" ON "Identity"("orgId", "sourceId", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_environment_name_idx" ON "Identity"("orgId", "environment", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_status_name_idx" ON "Identity"("orgId", "status", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_ownerId_name_idx" ON "Identity"("orgId", "ownerId", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_backupOwnerId_idx" ON "Identity"("orgId", "backupOwnerId");

-- CreateIndex
CREATE INDEX "Identity_orgId_teamId_idx" ON "Identity"("orgId", "teamId");

-- CreateIndex
CREATE INDEX "Identity_orgId_privileged_name_idx" ON "Identity"("orgId", "privileged", "name");

-- CreateIndex
CREATE INDEX "Identity_orgId_lastUsedAt_idx" ON "Identity"("orgId", "lastUsedAt");

-- CreateIndex
CREATE INDEX "Identity_orgId_createdAt_idx" ON "Identity"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "Identity_orgId_riskScore_idx" ON "Identity"("orgId", "riskScore");

-- CreateIndex
CREATE INDEX "Identity_orgId_oldestSecretAt_idx" ON "Identity"("orgId", "oldestSecretAt");

-- CreateIndex
CREATE INDEX "Identity_orgId_attestationDue_idx" ON "Identity"("orgId", "attestationDue");

-- CreateIndex
CREATE UNIQUE INDEX "Identity_sourceId_externalId_key" ON "Identity"("sourceId", "externalId");

-- CreateIndex
CREATE INDEX "IdentityTag_orgId_key_value_idx" ON "IdentityTag"("orgId", "key", "value");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityTag_identityId_key_key" ON "IdentityTag"("identityId", "key");

-- CreateIndex
CREATE INDEX "Credential_identityId_idx" ON "Credential"("identityId");

-- CreateIndex
CREATE INDEX "Credential_orgId_fingerprint_idx" ON "Credential"("orgId", "fingerprint");

-- CreateIndex
CREATE INDEX "Credential_orgId_status_createdAt_idx" ON "Credential"("orgId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Credential_orgId_expiresAt_idx" ON "Credential"("orgId", "expiresAt");

-- CreateIndex
CREATE INDEX "Resource_orgId_name_idx" ON "Resource"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Resource_sourceId_externalId_key" ON "Resource"("sourceId", "externalId");

-- CreateIndex
CREATE INDEX "Entitlement_orgId_privileged_idx" ON "Entitlement"("orgId", "privileged");

-- CreateIndex
CREATE UNIQUE INDEX "Entitlement_resourceId_externalId_key" ON "Entitlement"("resourceId", "externalId");

-- CreateIndex
CREATE INDEX "Grant_orgId_privileged_lastUsedAt_idx" ON "Grant"("orgId", "privileged", "lastUsedAt");

-- CreateIndex
CREATE INDEX "Grant_entitlementId_idx" ON "Grant"("entitlementId");

-- CreateIndex
CREATE UNIQUE INDEX "Grant_identityId_entitlementId_key" ON "Grant"("identityId", "entitlementId");

-- CreateIndex
CREATE INDEX "ActivityEvent_identityId_at_idx" ON "ActivityEvent"("identityId", "at");

-- CreateIndex
CREATE INDEX "ActivityEvent_orgId_kind_at_idx" ON "ActivityEvent"("orgId", "kind", "at");

-- CreateIndex
CREATE INDEX "Finding_orgId_status_owaspCode_idx" ON "Finding"("orgId", "status", "owaspCode");

-- CreateIndex
CREATE INDEX "Finding_orgId_status_severity_idx" ON "Finding"("orgId", "status", "severity");

-- CreateIndex
CREATE UNIQUE INDEX "Finding_identityId_rule_key" ON "Finding"("identityId", "rule");

-- CreateIndex
CREATE INDEX "Campaign_orgId_status_idx" ON "Campaign"("orgId", "status");

-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_status_idx" ON "ReviewItem"("campaignId", "status");

-- CreateIndex
CREATE INDEX "ReviewItem_orgId_reviewerId_status_idx" ON "ReviewItem"("orgId", "reviewerId", "status");

-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_reviewerId_status_idx" ON "ReviewItem"("campaignId", "reviewerId", "status");

-- CreateIndex
CREATE INDEX "ReviewItem_identityId_idx" ON "ReviewItem"("identityId");

-- CreateIndex
CREATE INDEX "Decision_reviewItemId_idx" ON "Decision"("reviewItemId");

-- CreateIndex
CREATE INDEX "Decision_campaignId_createdAt_idx" ON "Decision"("campaignId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Job_idempotencyKey_key" ON "Job"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_orgId_status_createdAt_idx" ON "Job"("orgId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_at_idx" ON "AuditEvent"("orgId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_action_at_idx" ON "AuditEvent"("orgId", "action", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_targetId_idx" ON "AuditEvent"("orgId", "targetId");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_actorId_at_idx" ON "AuditEvent"("orgId", "actorId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_orgId_seq_key" ON "AuditEvent"("orgId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_hash_key" ON "ApiToken"("hash");

-- CreateIndex
CREATE INDEX "ApiToken_orgId_idx" ON "ApiToken"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "MetricSnapshot_orgId_day_key" ON "MetricSnapshot"("orgId", "day");

-- CreateIndex
CREATE INDEX "Notification_userId_orgId_readAt_idx" ON "Notification"("userId", "orgId", "readAt");

-- CreateIndex
CREATE INDEX "OwnershipTransfer_orgId_toUserId_status_idx" ON "OwnershipTransfer"("orgId", "toUserId", "status");

-- CreateIndex
CREATE INDEX "OwnershipTransfer_identityId_idx" ON "OwnershipTransfer"("identityId");

-- CreateIndex
CREATE INDEX "Attestation_identityId_createdAt_idx" ON "Attestation"("identityId", "createdAt");

