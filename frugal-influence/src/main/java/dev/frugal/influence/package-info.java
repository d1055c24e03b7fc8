/** SAM influence functions: SAM training, Hessian and trajectory influence, checked against retraining. */
package dev.frugal.influence;
