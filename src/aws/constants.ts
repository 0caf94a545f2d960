/** Constants of the AWS API emulation, with units in their names. */

/** `dxlab api serve` listens here unless --port says otherwise (the port LocalStack made customary). */
export const DEFAULT_API_PORT = 4566;
/** Loopback only unless --host says otherwise. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** The account every resource belongs to (the account of the AWS documentation's examples). */
export const DEFAULT_ACCOUNT_ID = '123456789012';
/** The region of an unsigned request (a signed one names its region in the SigV4 credential scope). */
export const DEFAULT_REGION = 'us-east-1';

/**
 * Request bodies above this are refused with 413 before they are parsed. The
 * largest input these operations take is a Secrets Manager value of 65,536
 * octets (botocore SecretStringType max), base64 of a binary one is 87,384.
 */
export const MAX_BODY_OCTETS = 1024 * 1024;

/** SigV4: a request dated further than this from the server's clock is refused (AWS allows 15 minutes). */
export const SIGV4_MAX_SKEW_MS = 15 * 60 * 1000;

/** The AWS JSON 1.1 content type, of requests and answers. */
export const AMZ_JSON_1_1 = 'application/x-amz-json-1.1';

/** Deleted connections, LAGs and VIFs stay listed this long (DescribeVirtualInterfaces documents 15 minutes). */
export const DELETED_RETENTION_MS = 15 * 60 * 1000;

/**
 * V11 (reference §5): a DX secret scheduled for deletion on an `available`
 * connection: the CKN is disassociated after 30 days.
 */
export const SECRET_DELETION_DISASSOCIATE_MS = 30 * 24 * 3600 * 1000;

/** Secrets Manager's recovery window: default and bounds, in days (DeleteSecret). */
export const RECOVERY_WINDOW_DEFAULT_DAYS = 30;
export const RECOVERY_WINDOW_MIN_DAYS = 7;
export const RECOVERY_WINDOW_MAX_DAYS = 30;

/** Pagination: DescribeConnections/Lags/VirtualInterfaces return at most 100 per page (model doc of maxResults). */
export const DX_MAX_RESULTS = 100;
/** Secrets Manager ListSecrets: MaxResults 1..100 (botocore MaxResultsType). */
export const SM_MAX_RESULTS = 100;

/** Tags per resource, both services (DX TagResource doc; Secrets Manager quotas). */
export const MAX_TAGS_PER_RESOURCE = 50;

/** V7: the key chain of a connection or LAG holds at most three CKN/CAK pairs. */
export const MAX_MACSEC_KEYS = 3;

/**
 * AWS Direct Connect's quotas (User Guide, "AWS Direct Connect quotas",
 * https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html).
 * Those AWS raises on request are settings of the service (DxQuotas,
 * `dxlab api serve --quota`); those it cannot raise are constants.
 *
 * Private or public VIFs per dedicated connection, and per LAG: 50, "This
 * limit cannot be increased"; transit VIFs count on top, up to 51 VIFs in
 * all. The emulation makes private VIFs only, so 50 is its bound.
 */
export const MAX_PRIVATE_VIFS_PER_CONNECTION = 50;

/** The quotas of the page above that AWS raises on request (its Comments column names no bar). */
export interface DxQuotas {
  /** "Active AWS Direct Connect connections per Direct Connect location per Region per account": 10. */
  connectionsPerLocation: number;
  /** "Link aggregation groups (LAGs) per Region": 10. */
  lagsPerRegion: number;
  /** "Virtual interfaces (private or transit) per AWS Direct Connect gateway": 30, every region's (a gateway is global). */
  vifsPerDirectConnectGateway: number;
}

export const DEFAULT_DX_QUOTAS: Readonly<DxQuotas> = Object.freeze({ connectionsPerLocation: 10, lagsPerRegion: 10, vifsPerDirectConnectGateway: 30 });

/** The Amazon side ASN of a virtual private gateway unless set otherwise (AWS default). */
export const DEFAULT_AMAZON_SIDE_ASN = 64512;

/**
 * How long the states that AWS moves through by itself last when no lab is
 * bound (API state only): a new connection is `requested`, then `pending`,
 * then `available`; a key `associating` then `associated`; a VIF `pending`
 * then `available`, `deleting` then `deleted`. `dxlab api serve
 * --provision-seconds` sets the first three.
 */
export interface ApiTimings {
  requestedMs: number;
  pendingMs: number;
  vifPendingMs: number;
  keyAssociatingMs: number;
  vifDeletingMs: number;
}

export const DEFAULT_TIMINGS: ApiTimings = {
  requestedMs: 5000,
  pendingMs: 5000,
  vifPendingMs: 5000,
  keyAssociatingMs: 0,
  vifDeletingMs: 0,
};
