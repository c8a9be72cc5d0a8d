import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './api';

// One function per contract method, nothing raw: the renderer never sees ipcRenderer.
contextBridge.exposeInMainWorld('edgeApi', buildPreloadApi(ipcRenderer));
