/**
 * MACsec GCM-AES test frames, transcribed as docs/secy-decisions.md §3 says
 * (generated from that file, not typed by hand). Sources, as that file names
 * them: IEEE 802.1 document bn-randall-test-vectors-0511-v1 sections 2.1-2.8
 * (802.1AE Annex C), via google/crunchy crypter_test.cc, cross-checked with
 * scapy test/contrib/macsec.uts and dpkt; the XPN cases C.1.3, C.1.4, C.5.3,
 * C.5.4 from scapy macsec.uts. Independently recomputed with Python
 * `cryptography` when the reference was written.
 */
export interface AnnexCFrame { name: string; tci: string; pn: string; sci: string; suite: string; key: string; icv: string; original: string; protected: string }
export interface XpnFrame { name: string; suite: string; integrity: boolean; key: string; pn64: string; iv: string; icv: string; protected: string }
export const XPN_SSCI = 0x7a30c118;
export const XPN_SALT = 'e630e81a48de86a21c66fa6d';
export const ANNEX_C: AnnexCFrame[] = [
 {
  "name": "C.1 / bn-randall \u00a72.1: 54-octet frame, integrity only GCM-AES-128",
  "tci": "22",
  "pn": "b2c28465",
  "sci": "12153524c0895e81",
  "suite": "gcm-aes-128",
  "key": "ad7a2bd03eac835a6f620fdcb506b345",
  "icv": "f09478a9b09007d06f46e9b6a1da25dd",
  "original": "d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233340001",
  "protected": "d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233340001f09478a9b09007d06f46e9b6a1da25dd"
 },
 {
  "name": "C.1 / bn-randall \u00a72.1: 54-octet frame, integrity only GCM-AES-256",
  "tci": "22",
  "pn": "b2c28465",
  "sci": "12153524c0895e81",
  "suite": "gcm-aes-256",
  "key": "e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
  "icv": "2f0bc5af409e06d609ea8b7d0fa5ea50",
  "original": "d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233340001",
  "protected": "d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333400012f0bc5af409e06d609ea8b7d0fa5ea50"
 },
 {
  "name": "C.2 (inferred) / bn-randall \u00a72.3: 60-octet frame, integrity only GCM-AES-128",
  "tci": "40",
  "pn": "76d457ed",
  "sci": "f0761e8dcd3d0001",
  "suite": "gcm-aes-128",
  "key": "071b113b0ca743fecccf3d051f737382",
  "icv": "0c017bc73b227dfcc9bafa1c41acc353",
  "original": "e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a0003",
  "protected": "e20106d7cd0df0761e8dcd3d88e5400076d457ed08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a00030c017bc73b227dfcc9bafa1c41acc353"
 },
 {
  "name": "C.2 (inferred) / bn-randall \u00a72.3: 60-octet frame, integrity only GCM-AES-256",
  "tci": "40",
  "pn": "76d457ed",
  "sci": "f0761e8dcd3d0001",
  "suite": "gcm-aes-256",
  "key": "691d3ee909d7f54167fd1ca0b5d769081f2bde1aee655fdbab80bd5295ae6be7",
  "icv": "35217c774bbc31b63166bcf9d4abed07",
  "original": "e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a0003",
  "protected": "e20106d7cd0df0761e8dcd3d88e5400076d457ed08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a000335217c774bbc31b63166bcf9d4abed07"
 },
 {
  "name": "C.3 (inferred) / bn-randall \u00a72.5: 65-octet frame, integrity only GCM-AES-128",
  "tci": "23",
  "pn": "8932d612",
  "sci": "7cfde9f9e33724c6",
  "suite": "gcm-aes-128",
  "key": "013fe00b5f11be7f866d0cbbc55a7a90",
  "icv": "217867e50c2dad74c28c3b50abdf695a",
  "original": "84c5d513d2aaf6e5bbd2727708000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f0005",
  "protected": "84c5d513d2aaf6e5bbd2727788e523008932d6127cfde9f9e33724c608000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f0005217867e50c2dad74c28c3b50abdf695a"
 },
 {
  "name": "C.3 (inferred) / bn-randall \u00a72.5: 65-octet frame, integrity only GCM-AES-256",
  "tci": "23",
  "pn": "8932d612",
  "sci": "7cfde9f9e33724c6",
  "suite": "gcm-aes-256",
  "key": "83c093b58de7ffe1c0da926ac43fb3609ac1c80fee1b624497ef942e2f79a823",
  "icv": "6ee160e8faeca4b36c86b234920ca975",
  "original": "84c5d513d2aaf6e5bbd2727708000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f0005",
  "protected": "84c5d513d2aaf6e5bbd2727788e523008932d6127cfde9f9e33724c608000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f00056ee160e8faeca4b36c86b234920ca975"
 },
 {
  "name": "C.4 (inferred) / bn-randall \u00a72.7: 79-octet frame, integrity only GCM-AES-128",
  "tci": "41",
  "pn": "2e58495c",
  "sci": "7ae8e2ca4ec50001",
  "suite": "gcm-aes-128",
  "key": "88ee087fd95da9fbf6725aa9d757b0cd",
  "icv": "07922b8ebcf10bb2297588ca4c614523",
  "original": "68f2e77696ce7ae8e2ca4ec508000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d0007",
  "protected": "68f2e77696ce7ae8e2ca4ec588e541002e58495c08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d000707922b8ebcf10bb2297588ca4c614523"
 },
 {
  "name": "C.4 (inferred) / bn-randall \u00a72.7: 79-octet frame, integrity only GCM-AES-256",
  "tci": "41",
  "pn": "2e58495c",
  "sci": "7ae8e2ca4ec50001",
  "suite": "gcm-aes-256",
  "key": "4c973dbc7364621674f8b5b89e5c15511fced9216490fb1c1a2caa0ffe0407e5",
  "icv": "00bda1b7e87608bcbf470f12157f4c07",
  "original": "68f2e77696ce7ae8e2ca4ec508000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d0007",
  "protected": "68f2e77696ce7ae8e2ca4ec588e541002e58495c08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d000700bda1b7e87608bcbf470f12157f4c07"
 },
 {
  "name": "C.5 / bn-randall \u00a72.4: 54-octet frame, confidentiality GCM-AES-128",
  "tci": "4c",
  "pn": "76d457ed",
  "sci": "f0761e8dcd3d0001",
  "suite": "gcm-aes-128",
  "key": "071b113b0ca743fecccf3d051f737382",
  "icv": "d6a5284f4a6d3fe22a5d6c2b960494c3",
  "original": "e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233340004",
  "protected": "e20106d7cd0df0761e8dcd3d88e54c2a76d457ed13b4c72b389dc5018e72a171dd85a5d3752274d3a019fbcaed09a425cd9b2e1c9b72eee7c9de7d52b3f3d6a5284f4a6d3fe22a5d6c2b960494c3"
 },
 {
  "name": "C.5 / bn-randall \u00a72.4: 54-octet frame, confidentiality GCM-AES-256",
  "tci": "4c",
  "pn": "76d457ed",
  "sci": "f0761e8dcd3d0001",
  "suite": "gcm-aes-256",
  "key": "691d3ee909d7f54167fd1ca0b5d769081f2bde1aee655fdbab80bd5295ae6be7",
  "icv": "12af39c2d1fdc2051f8b7b3c9d397ef2",
  "original": "e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233340004",
  "protected": "e20106d7cd0df0761e8dcd3d88e54c2a76d457edc1623f55730c93533097addad25664966125352b43adacbd61c5ef3ac90b5bee929ce4630ea79f6ce51912af39c2d1fdc2051f8b7b3c9d397ef2"
 },
 {
  "name": "C.6 (inferred) / bn-randall \u00a72.2: 60-octet frame, confidentiality GCM-AES-128",
  "tci": "2e",
  "pn": "b2c28465",
  "sci": "12153524c0895e81",
  "suite": "gcm-aes-128",
  "key": "ad7a2bd03eac835a6f620fdcb506b345",
  "icv": "4f8d55e7d3f06fd5a13c0c29b9d5b880",
  "original": "d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a0002",
  "protected": "d609b1f056637a0d46df998d88e52e00b2c2846512153524c0895e81701afa1cc039c0d765128a665dab69243899bf7318ccdc81c9931da17fbe8edd7d17cb8b4c26fc81e3284f2b7fba713d4f8d55e7d3f06fd5a13c0c29b9d5b880"
 },
 {
  "name": "C.6 (inferred) / bn-randall \u00a72.2: 60-octet frame, confidentiality GCM-AES-256",
  "tci": "2e",
  "pn": "b2c28465",
  "sci": "12153524c0895e81",
  "suite": "gcm-aes-256",
  "key": "e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
  "icv": "5ca597cdbb3edb8d1a1151ea0af7b436",
  "original": "d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a0002",
  "protected": "d609b1f056637a0d46df998d88e52e00b2c2846512153524c0895e81e2006eb42f5277022d9b19925bc419d7a592666c925fe2ef718eb4e308efeaa7c5273b394118860a5be2a97f56ab78365ca597cdbb3edb8d1a1151ea0af7b436"
 },
 {
  "name": "C.7 / bn-randall \u00a72.6: 61-octet frame, confidentiality GCM-AES-128",
  "tci": "2f",
  "pn": "8932d612",
  "sci": "7cfde9f9e33724c6",
  "suite": "gcm-aes-128",
  "key": "013fe00b5f11be7f866d0cbbc55a7a90",
  "icv": "bfd310a4837c816ccfa5ac23ab003988",
  "original": "84c5d513d2aaf6e5bbd2727708000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b0006",
  "protected": "84c5d513d2aaf6e5bbd2727788e52f008932d6127cfde9f9e33724c63a4de6fa32191014dbb303d92ee3a9e8a1b599c14d22fb080096e13811816a3c9c9bcf7c1b9b96da809204e29d0e2a7642bfd310a4837c816ccfa5ac23ab003988"
 },
 {
  "name": "C.7 / bn-randall \u00a72.6: 61-octet frame, confidentiality GCM-AES-256",
  "tci": "2f",
  "pn": "8932d612",
  "sci": "7cfde9f9e33724c6",
  "suite": "gcm-aes-256",
  "key": "83c093b58de7ffe1c0da926ac43fb3609ac1c80fee1b624497ef942e2f79a823",
  "icv": "a10f4e05139c23df00b3aadc71f0596a",
  "original": "84c5d513d2aaf6e5bbd2727708000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b0006",
  "protected": "84c5d513d2aaf6e5bbd2727788e52f008932d6127cfde9f9e33724c6110222ff8050cbece66a813ad09a73ed7a9a089c106b959389168ed6e8698ea902eb1277dbec2e68e473155a15a7daeed4a10f4e05139c23df00b3aadc71f0596a"
 },
 {
  "name": "C.8 (inferred) / bn-randall \u00a72.8: 75-octet frame, confidentiality GCM-AES-128",
  "tci": "4d",
  "pn": "2e58495c",
  "sci": "7ae8e2ca4ec50001",
  "suite": "gcm-aes-128",
  "key": "88ee087fd95da9fbf6725aa9d757b0cd",
  "icv": "88f8757adb8aa788d8f65ad668be70e7",
  "original": "68f2e77696ce7ae8e2ca4ec508000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748490008",
  "protected": "68f2e77696ce7ae8e2ca4ec588e54d002e58495cc31f53d99e5687f7365119b832d2aae70741d593f1f9e2ab3455779b078eb8feacdfec1f8e3e5277f8180b43361f6512adb16d2e38548a2c719dba7228d84088f8757adb8aa788d8f65ad668be70e7"
 },
 {
  "name": "C.8 (inferred) / bn-randall \u00a72.8: 75-octet frame, confidentiality GCM-AES-256",
  "tci": "4d",
  "pn": "2e58495c",
  "sci": "7ae8e2ca4ec50001",
  "suite": "gcm-aes-256",
  "key": "4c973dbc7364621674f8b5b89e5c15511fced9216490fb1c1a2caa0ffe0407e5",
  "icv": "2611cd7daa01d61c5c886dc1a8170107",
  "original": "68f2e77696ce7ae8e2ca4ec508000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748490008",
  "protected": "68f2e77696ce7ae8e2ca4ec588e54d002e58495cba8ae31bc506486d6873e4fce460e7dc57591ff00611f31c3834fe1c04ad80b66803afcf5b27e6333fa67c99da47c2f0ced68d531bd741a943cff7a6713bd02611cd7daa01d61c5c886dc1a8170107"
 }
];
export const ANNEX_C_XPN: XpnFrame[] = [
 {
  "name": "C.1.3",
  "suite": "gcm-aes-xpn-128",
  "integrity": true,
  "key": "ad7a2bd03eac835a6f620fdcb506b345",
  "pn64": "b0df459cb2c28465",
  "iv": "9c002902f801c33eaea47e08",
  "icv": "17fe1981ebdd4afc5062697e8baa0c23",
  "protected": "d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334000117fe1981ebdd4afc5062697e8baa0c23"
 },
 {
  "name": "C.1.4",
  "suite": "gcm-aes-xpn-256",
  "integrity": true,
  "key": "e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
  "pn64": "b0df459cb2c28465",
  "iv": "9c002902f801c33eaea47e08",
  "icv": "4dbd2f6a754a6cf728cc129ba6931577",
  "protected": "d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333400014dbd2f6a754a6cf728cc129ba6931577"
 },
 {
  "name": "C.5.3",
  "suite": "gcm-aes-xpn-128",
  "integrity": false,
  "key": "071b113b0ca743fecccf3d051f737382",
  "pn64": "b0df459c76d457ed",
  "iv": "9c002902f801c33e6ab2ad80",
  "icv": "f0a232e9e44c978cf7cd84d43484d101",
  "protected": "e20106d7cd0df0761e8dcd3d88e54c2a76d457ed9ca46984430203ed416ebdc2fe2622ba3e5eab6961c36383009e187e9b0c88564653b9abd216441c6ab6f0a232e9e44c978cf7cd84d43484d101"
 },
 {
  "name": "C.5.4",
  "suite": "gcm-aes-xpn-256",
  "integrity": false,
  "key": "691d3ee909d7f54167fd1ca0b5d769081f2bde1aee655fdbab80bd5295ae6be7",
  "pn64": "b0df459c76d457ed",
  "iv": "9c002902f801c33e6ab2ad80",
  "icv": "39a0e273c4c7f95ed843207d7a497dfa",
  "protected": "e20106d7cd0df0761e8dcd3d88e54c2a76d457ed88d9f7d1f1578ee34ba7b1abc89893ef1d3398c9f1dd3e47fbd8553e0ff786ef5699eb01ea10420d0ebd39a0e273c4c7f95ed843207d7a497dfa"
 }
];
