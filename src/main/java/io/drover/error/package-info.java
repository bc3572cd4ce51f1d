/**
 * Drover's exceptions, one type per cause a user acts on differently: {@link io.drover.error.BrokerUnreachableException},
 * {@link io.drover.error.AuthenticationException}, {@link io.drover.error.ConfigurationException} and
 * {@link io.drover.error.OperationInterruptedException}, under {@link io.drover.error.DroverException}. The lowest
 * layer beside {@code protocol}: it depends on nothing, so the transport, the client, the agent and the command line
 * all throw and catch the same types. The command line maps them to exit codes in one place ({@code cli.ExitCodes}).
 */
package io.drover.error;
