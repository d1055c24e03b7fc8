/**
 * Cross-domain few-shot learning (IDP, arXiv 2511.14279): target domains, source pretraining, the codebook of source
 * features, ridge reconstruction, and the methods compared on the same seeded episodes (ProtoNet, BSCD-FSL
 * fine-tuning, FRN-style reconstruction, IDP with BN-only alignment).
 */
package dev.frugal.fewshot;
