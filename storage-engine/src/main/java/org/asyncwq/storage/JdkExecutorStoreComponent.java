package org.asyncwq.storage;

import dagger.Component;
import javax.inject.Singleton;
import org.asyncwq.storage.block.JdkExecutorQueuesModule;

/** {@link StoreComponent} with the storage queues on JDK executors ({@link StoreWiring#JDK_EXECUTORS}). */
@Singleton
@Component(modules = {JdkExecutorQueuesModule.class, StoreModule.class})
interface JdkExecutorStoreComponent extends StoreComponent {}
