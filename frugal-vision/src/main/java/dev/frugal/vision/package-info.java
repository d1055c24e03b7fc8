/** Vision: ResNets, BatchNorm, image folders and episodes; IDP cross-domain few-shot; V2-SfMLearner depth and ego-motion. */
package dev.frugal.vision;
